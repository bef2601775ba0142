// `npm run demo`: the loop, live, on the mesh `npm start` runs (see run-demo.ts).
import { assertKnown, booleanOption, feedbackMode, numberOption, parseFlags, stringOption } from '../cli/options';
import { runDemo } from './run-demo';

const HELP = `npm run demo -- [--rate 150] [--tick-seconds 10] [--minutes 10] [--seed 1] [--no-regression] [--regression-at 60] [--feedback bulk|single]
  [--trainer [--trainer-port 8094]]
  --feedback-url / FEEDBACK_API_URL (http://127.0.0.1:8091), --oracle-url / ORACLE_API_URL (http://127.0.0.1:8092),
  METALOOP_API_KEY: an API key with admin scope, when the mesh enforces keys.
  --trainer / DEMO_TRAINER: the learning flywheel too (a learner agent, the stand-in trainer on --trainer-port /
  DEMO_TRAINER_PORT); oracle-api must run with TRAINER_URL=http://127.0.0.1:<port>/train and TRAINER_SECRET,
  which the demo reads too (README "Efficacy benchmark and demo"); --minutes defaults to 20 then.`;

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2));
  if (flags['help']) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  assertKnown(flags, [
    'feedback-url',
    'oracle-url',
    'rate',
    'tick-seconds',
    'minutes',
    'seed',
    'no-regression',
    'regression-at',
    'feedback',
    'trainer',
    'trainer-port',
    'help',
  ]);
  const env = process.env;
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  const withTrainer = booleanOption(flags, env, 'trainer', 'DEMO_TRAINER');
  const trainerSecret = env['TRAINER_SECRET'] ?? '';
  if (withTrainer && trainerSecret.length < 16)
    throw new Error('--trainer needs TRAINER_SECRET (at least 16 characters), the same as oracle-api runs with');
  const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${line}\n`);
  const finished = await runDemo({
    endpoints: {
      feedbackUrl: stringOption(flags, env, 'feedback-url', 'FEEDBACK_API_URL', 'http://127.0.0.1:8091').replace(
        /\/$/,
        '',
      ),
      oracleUrl: stringOption(flags, env, 'oracle-url', 'ORACLE_API_URL', 'http://127.0.0.1:8092').replace(/\/$/, ''),
      apiKey: env['METALOOP_API_KEY'] || undefined,
    },
    seed: numberOption(flags, env, {
      flag: 'seed',
      env: 'DEMO_SEED',
      fallback: 1,
      min: 0,
      max: 2 ** 31 - 1,
      integer: true,
    }),
    rate: numberOption(flags, env, { flag: 'rate', env: 'DEMO_RATE', fallback: 150, min: 1, max: 5000 }),
    tickSeconds: numberOption(flags, env, {
      flag: 'tick-seconds',
      env: 'DEMO_TICK_SECONDS',
      fallback: 10,
      min: 1,
      max: 600,
    }),
    windowHours: 0.05,
    bulk: feedbackMode(flags, env, 'DEMO_FEEDBACK'),
    minutes: numberOption(flags, env, {
      flag: 'minutes',
      env: 'DEMO_MINUTES',
      fallback: withTrainer ? 20 : 10,
      min: 0.5,
      max: 120,
    }),
    regressionAtSeconds: booleanOption(flags, env, 'no-regression', 'DEMO_NO_REGRESSION')
      ? null
      : numberOption(flags, env, { flag: 'regression-at', env: 'DEMO_REGRESSION_AT', fallback: 60, min: 0, max: 3600 }),
    trainer: withTrainer
      ? {
          port: numberOption(flags, env, {
            flag: 'trainer-port',
            env: 'DEMO_TRAINER_PORT',
            fallback: 8094,
            min: 1,
            max: 65_535,
            integer: true,
          }),
          secret: trainerSecret,
        }
      : null,
    log,
    signal: controller.signal,
  });
  return finished ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
