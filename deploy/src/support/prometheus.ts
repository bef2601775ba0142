import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort, testEnv } from '@metaloop/testing';
import { stringify } from 'yaml';
import { PROMETHEUS_DIR, readYaml } from './repo';

const INSTALL_HINT = 'apt-get update && apt-get install -y prometheus (.ci/run does it when missing)';

type PrometheusBinary = 'prometheus' | 'promtool';

function binaryPath(name: PrometheusBinary): string {
  return spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
}

/** The path of a Prometheus binary, or a failure that says how to install it. */
export function requireBinary(name: PrometheusBinary): string {
  const found = binaryPath(name);
  if (!found) throw new Error(`${name} is not installed, so the Prometheus proof cannot run: ${INSTALL_HINT}`);
  return found;
}

/**
 * describe() for a suite that needs `binary`. On a machine without it the suite is skipped with a
 * loud line naming the install command (a fresh machine passes `npm test`); under CI=true it runs,
 * and fails where requireBinary says what to install, so CI never passes without the proof.
 */
export function describeWithBinary(binary: PrometheusBinary, name: string, suite: () => void): void {
  if (binaryPath(binary) || testEnv.CI) return describe(name, suite);
  process.stderr.write(
    `\n*** SKIPPED "${name}": ${binary} is not installed. Install it to run this proof: ${INSTALL_HINT}. ` +
      `(With CI=true a missing ${binary} fails the run.) ***\n\n`,
  );
  describe.skip(name, suite);
}

/** Runs promtool in deploy/prometheus; returns its output, throws with it when promtool fails. */
export function promtool(args: string[], cwd = PROMETHEUS_DIR): string {
  const result = spawnSync(requireBinary('promtool'), args, { cwd, encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`promtool ${args.join(' ')} failed:\n${output}`);
  return output;
}

export interface ScrapeConfig {
  job_name: string;
  static_configs: Array<{ targets: string[]; labels?: Record<string, string> }>;
  [setting: string]: unknown;
}

export interface PrometheusConfig {
  global: Record<string, string>;
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
}

export const repoPrometheusConfig = () => readYaml<PrometheusConfig>(join(PROMETHEUS_DIR, 'prometheus.yml'));

/**
 * The repository's prometheus.yml aimed at apps on this machine: the same jobs, labels and
 * scrape settings, targets rewritten to `targets[job]`, intervals shortened for a test.
 */
export function localConfig(targets: Record<string, string>, interval = '1s'): PrometheusConfig {
  const config = repoPrometheusConfig();
  return {
    ...config,
    global: { ...config.global, scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
    scrape_configs: config.scrape_configs.map((job) => {
      const target = targets[job.job_name];
      if (!target) throw new Error(`no local target for job ${job.job_name}`);
      return { ...job, static_configs: job.static_configs.map((group) => ({ ...group, targets: [target] })) };
    }),
  };
}

export interface PrometheusServer {
  url: string;
  stop(): Promise<void>;
  output(): string;
}

/** A real Prometheus on a free port with `config` (its rule files copied beside it) and a scratch TSDB. */
export async function startPrometheus(config: PrometheusConfig): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'metaloop-prometheus-'));
  for (const file of config.rule_files) copyFileSync(join(PROMETHEUS_DIR, file), join(dir, file));
  writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
  const port = await freePort();
  const child: ChildProcess = spawn(
    requireBinary('prometheus'),
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${output}`);
        if ((await fetch(`${url}/-/ready`)).status !== 200) throw new Error('prometheus not ready');
      },
      20_000,
      100,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop, output: () => output };
}

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export type QueryOutcome = { ok: true; result: Sample[] } | { ok: false; error: string };

/** An instant query through the HTTP API, as Grafana sends it. */
export async function instantQuery(url: string, expr: string): Promise<QueryOutcome> {
  const response = await fetch(`${url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query: expr }),
  });
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: Sample[] | [number, string] };
  };
  if (body.status !== 'success') return { ok: false, error: body.error ?? `HTTP ${response.status}` };
  const result =
    body.data!.resultType === 'vector'
      ? (body.data!.result as Sample[])
      : [{ metric: {}, value: body.data!.result as [number, string] }];
  return { ok: true, result };
}

/** GET <url><path> as JSON `data` of the Prometheus API. */
export async function apiData<T>(url: string, path: string): Promise<T> {
  const body = (await (await fetch(`${url}${path}`)).json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
  return body.data;
}
