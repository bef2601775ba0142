import './tracing';
import { runApp } from '@metaloop/platform';
import { orchestrator } from './app.definition';

void runApp(orchestrator);
