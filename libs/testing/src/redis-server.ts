import { spawn, type ChildProcess } from 'node:child_process';
import { testEnv } from './test-env';
import { freePort } from './ports';
import { waitForPort } from './nats-server';

export interface TestRedisServer {
  url: string;
  port: number;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Starts again on the same port, empty: nothing is persisted, as with README's Redis command. */
  start(): Promise<void>;
  /** SIGSTOP: connections stay open but nothing is answered, as with a hung server or a partition. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Stops the server. */
  dispose(): Promise<void>;
}

/**
 * A private redis-server on a free port without persistence (no RDB snapshots, no AOF), for
 * tests that kill Redis and need it back empty.
 */
export async function startRedisServer(): Promise<TestRedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    const args = ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'];
    const started = spawn(testEnv.REDIS_SERVER_BIN, args, { stdio: 'ignore' });
    child = started;
    const failed = new Promise<never>((_, reject) =>
      started.once('error', (error) => reject(new Error(`${testEnv.REDIS_SERVER_BIN}: ${error.message}`))),
    );
    await Promise.race([waitForPort(port, 10_000), failed]);
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    start,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    dispose: async () => {
      child?.kill('SIGCONT');
      await kill();
    },
  };
}
