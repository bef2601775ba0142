import { run } from './cli';

void run(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`metaloop: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
