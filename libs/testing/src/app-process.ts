import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from './eventually';

export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');

export interface AppProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  waitForReady(timeoutMs?: number): Promise<void>;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Runs a built app (apps/<name>/dist/main.js) as a real process with the given environment. */
export function spawnApp(name: string, env: Record<string, string>, port: number): AppProcess {
  const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'apps', name, 'dist', 'main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  return {
    name,
    url,
    child,
    exited,
    output: () => output,
    waitForReady: async (timeoutMs = 30_000) => {
      await eventually(
        async () => {
          if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
          const response = await fetch(`${url}/health/ready`);
          if (response.status !== 200) throw new Error(`${name} not ready: ${await response.text()}`);
        },
        timeoutMs,
        200,
      );
    },
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
