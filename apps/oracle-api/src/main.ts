import './tracing';
import { runApp } from '@metaloop/platform';
import { oracleApi } from './app.definition';

void runApp(oracleApi);
