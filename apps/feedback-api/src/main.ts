import './tracing';
import { runApp } from '@metaloop/platform';
import { feedbackApi } from './app.definition';

void runApp(feedbackApi);
