import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { policiesEnv } from '../../libs/policies/src/policies.env';
import { APPS, entryPoint, HEALTH_PATHS, ORACLE_SETTINGS_AT_DEFAULTS } from './support/apps';
import { COMPOSE_FILE, PROMETHEUS_DIR, REPO_ROOT, readYaml } from './support/repo';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }> | string[];
}

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  static_configs: Array<{ targets: string[]; labels?: Record<string, string> }>;
}

const compose = readYaml<{ services: Record<string, ComposeService>; volumes: Record<string, unknown> }>(COMPOSE_FILE);
const services = compose.services;
const prometheus = readYaml<{ scrape_configs: ScrapeConfig[]; rule_files: string[] }>(
  join(PROMETHEUS_DIR, 'prometheus.yml'),
);

/** Host side of a `host:container` bind mount, resolved against the compose file's folder. */
function mountedFrom(service: ComposeService, containerPath: string): string {
  const mount = service.volumes?.find((volume) => volume.split(':')[1] === containerPath);
  if (!mount) throw new Error(`nothing is mounted at ${containerPath}`);
  return resolve(dirname(COMPOSE_FILE), mount.split(':')[0]!);
}

/**
 * The environment as docker compose starts the service with nothing set in the shell: `${NAME:-default}`
 * and `${NAME-default}` become the default, `${NAME}` the empty string.
 */
function defaultEnvironment(service: ComposeService): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([key, value]) => [
      key,
      String(value).replace(/\$\{\w+(?::?-([^}]*))?\}/g, (_, fallback?: string) => fallback ?? ''),
    ]),
  );
}

describe('docker-compose.yml', () => {
  it('runs the whole stack', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'feedback-api',
        'grafana',
        'jaeger',
        'keys',
        'nats',
        'oracle-api',
        'orchestrator',
        'postgres',
        'prometheus',
        'redis',
      ].sort(),
    );
  });

  describe.each(APPS)('$name', (app) => {
    const service = services[app.name]!;
    const env = defaultEnvironment(service);

    it('sets every required variable of the env schema, with values the schema accepts', () => {
      for (const name of app.required) expect({ name, set: name in env }).toEqual({ name, set: true });
      const parsed = app.envSchema.safeParse(env);
      expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    });

    it('publishes and health-checks the port the app listens on', () => {
      const port = app.envSchema.parse(env)['PORT'];
      expect(port).toBe(app.defaultPort);
      expect(service.ports).toEqual([`${port}:${port}`]);
      expect(service.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}${HEALTH_PATHS.ready}`);
    });

    it('runs the app from the image the repository Dockerfile builds', () => {
      expect(service.command).toEqual(['node', entryPoint(app.name)]);
      expect(existsSync(join(resolve(dirname(COMPOSE_FILE), service.build!.context), service.build!.dockerfile))).toBe(
        true,
      );
      expect(service.image).toBe(services['keys']!.image);
    });

    it('reaches Postgres, NATS and Redis by their service names and credentials', () => {
      const postgres = services['postgres']!.environment!;
      const database = new URL(env['DATABASE_URL']!);
      expect([database.hostname, database.port, database.username, database.password, database.pathname]).toEqual([
        'postgres',
        '5432',
        postgres['POSTGRES_USER'],
        postgres['POSTGRES_PASSWORD'],
        `/${postgres['POSTGRES_DB']}`,
      ]);
      expect(env['NATS_URL']).toBe('nats://nats:4222');
      expect(env['REDIS_URL']).toBe('redis://redis:6379');
      expect(services['keys']!.environment!['DATABASE_URL']).toBe(env['DATABASE_URL']);
    });

    it('is scraped by the repository Prometheus config at its service name and port', () => {
      const job = prometheus.scrape_configs.find((config) => config.job_name === app.name);
      expect(job?.static_configs.flatMap((config) => config.targets)).toEqual([`${app.name}:${app.defaultPort}`]);
      expect(job?.static_configs.every((config) => config.labels?.['environment'])).toBe(true);
    });
  });

  it('keeps oracle-api’s datasets on a named volume mounted at DATASETS_DIR', () => {
    const oracle = services['oracle-api']!;
    const datasetsDir = defaultEnvironment(oracle)['DATASETS_DIR'];
    const mount = oracle.volumes?.find((volume) => volume.split(':')[1] === datasetsDir);
    expect(mount).toBeDefined();
    const volume = mount!.split(':')[0]!;
    expect(volume).toMatch(/^\w[\w-]*$/); // a named volume, not a host path
    expect(Object.keys(compose.volumes)).toContain(volume);
    // The image creates the directory for its user, so a fresh volume is writable by the app.
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`chown node:node ${datasetsDir}`);
  });

  it('passes the trainer webhook through from the shell, off (NATS only) when unset', () => {
    const oracle = services['oracle-api']!;
    expect(oracle.environment).toMatchObject({
      TRAINER_URL: '${TRAINER_URL:-}',
      TRAINER_SECRET: '${TRAINER_SECRET:-}',
    });
    const withTrainer = { ...defaultEnvironment(oracle), TRAINER_URL: 'http://trainer:9000/hook' };
    expect(APPS[1]!.envSchema.safeParse(withTrainer).success).toBe(false); // a URL needs its secret
    expect(APPS[1]!.envSchema.safeParse({ ...withTrainer, TRAINER_SECRET: 'a-secret-of-16-chars' }).success).toBe(true);
  });

  it('passes the reports webhook, the suggestions model and the persona model through from the shell, off when unset', () => {
    const oracle = services['oracle-api']!;
    const fromShell = [
      'REPORT_WEBHOOK_URL',
      'REPORT_WEBHOOK_SECRET',
      'SUGGESTIONS_MODEL_URL',
      'SUGGESTIONS_API_KEY',
      'MEMORY_PERSONA_MODEL_URL',
      'MEMORY_PERSONA_MODEL_API_KEY',
    ];
    expect(oracle.environment).toMatchObject(Object.fromEntries(fromShell.map((key) => [key, `\${${key}:-}`])));
    const schema = APPS[1]!.envSchema;
    const unset = schema.parse(defaultEnvironment(oracle)) as Record<string, unknown>;
    for (const key of fromShell) expect({ key, value: unset[key] }).toEqual({ key, value: undefined });
    // The rest restates the schema's defaults.
    for (const key of ORACLE_SETTINGS_AT_DEFAULTS)
      expect({ key, value: unset[key] }).toEqual({ key, value: schema.shape[key]!.parse(undefined) });
    const withHook = { ...defaultEnvironment(oracle), REPORT_WEBHOOK_URL: 'http://alerts:9000/report' };
    expect(schema.safeParse(withHook).success).toBe(false); // a URL needs its secret
    expect(schema.safeParse({ ...withHook, REPORT_WEBHOOK_SECRET: 'a-secret-of-16-chars' }).success).toBe(true);
    const anthropic = {
      ...defaultEnvironment(oracle),
      SUGGESTIONS_MODEL_URL: 'https://api.anthropic.com/v1',
      SUGGESTIONS_MODEL_KIND: 'anthropic',
      SUGGESTIONS_API_KEY: 'sk-ant-…',
    };
    expect(schema.safeParse(anthropic).success).toBe(true);
  });

  it('gives feedback-api the subject context settings at their defaults', () => {
    const feedback = services['feedback-api']!;
    const schema = APPS[0]!.envSchema;
    const keys = Object.keys(schema.shape).filter((key) => key.startsWith('SUBJECT_'));
    expect(keys.length).toBeGreaterThan(0);
    const env = defaultEnvironment(feedback);
    for (const key of keys)
      expect({ key, value: schema.shape[key]!.parse(env[key]) }).toEqual({
        key,
        value: schema.shape[key]!.parse(undefined),
      });
  });

  it('gives feedback-api the policy oracle-api learns by (same POLICIES_PATH, overrides and mounts), no copy of its half-life', () => {
    /** The policy settings and the mounts POLICIES_PATH points into; none: the image's libs/policies/default-policies.yaml. */
    const policySource = (name: string) => {
      const service = services[name]!;
      const env = defaultEnvironment(service);
      const path = env['POLICIES_PATH'] ?? '';
      const mounts = (service.volumes ?? []).filter((volume) => path.startsWith(`${volume.split(':')[1]}/`));
      return {
        env: Object.fromEntries(Object.keys(policiesEnv).flatMap((key) => (key in env ? [[key, env[key]]] : []))),
        mounts,
        readable: path === '' || mounts.length > 0,
      };
    };
    expect(defaultEnvironment(services['feedback-api']!)).not.toHaveProperty('SUBJECT_MEMORY_HALF_LIFE_DAYS');
    expect(policySource('oracle-api').readable).toBe(true);
    expect(policySource('feedback-api')).toEqual(policySource('oracle-api'));
    expect(policySource('orchestrator')).toEqual(policySource('oracle-api'));
  });

  it('gives feedback-api and oracle-api the same embedder (the in-process one unless the shell names another)', () => {
    const embedderEnv = (name: string) =>
      Object.fromEntries(
        Object.entries(services[name]!.environment!).filter(([key]) => key.startsWith('EXAMPLES_EMBEDDER_')),
      );
    expect(Object.keys(embedderEnv('oracle-api')).sort()).toEqual([
      'EXAMPLES_EMBEDDER_API_KEY',
      'EXAMPLES_EMBEDDER_MODEL',
      'EXAMPLES_EMBEDDER_URL',
    ]);
    expect(embedderEnv('feedback-api')).toEqual(embedderEnv('oracle-api'));
    expect(defaultEnvironment(services['oracle-api']!)['EXAMPLES_EMBEDDER_URL']).toBe('');
  });

  it("exports every app's traces to Jaeger's OTLP/HTTP port (off when the shell sets the endpoint empty)", () => {
    const jaeger = services['jaeger']!;
    expect(jaeger.ports).toEqual(expect.arrayContaining(['16686:16686', '4318:4318']));
    for (const app of APPS) {
      const env = defaultEnvironment(services[app.name]!);
      expect(env['OTEL_EXPORTER_OTLP_ENDPOINT']).toBe('http://jaeger:4318');
      expect(services[app.name]!.environment!['OTEL_EXPORTER_OTLP_ENDPOINT']).toBe(
        '${OTEL_EXPORTER_OTLP_ENDPOINT-http://jaeger:4318}',
      );
      expect(app.envSchema.parse({ ...env, OTEL_EXPORTER_OTLP_ENDPOINT: '' })['OTEL_EXPORTER_OTLP_ENDPOINT']).toBe(
        undefined,
      );
    }
  });

  it('runs NATS 2.11 or later with JetStream on a volume, syncing every write', () => {
    const nats = services['nats']!;
    const [major, minor] = nats.image!.split(':')[1]!.split(/[.-]/).map(Number);
    expect(major! * 100 + minor!).toBeGreaterThanOrEqual(211);
    const conf = readFileSync(mountedFrom(nats, '/etc/nats/nats.conf'), 'utf8');
    const jetstream = /jetstream\s*\{([^}]*)\}/.exec(conf)?.[1] ?? '';
    expect(jetstream).toMatch(/^\s*sync_interval:\s*always\s*$/m);
    const storeDir = /^\s*store_dir:\s*(\S+)/m.exec(jetstream)?.[1];
    expect(nats.volumes).toContain(`nats-data:${storeDir}`);
    expect(nats.command).toEqual(['-c', '/etc/nats/nats.conf']);
  });

  it('gives Prometheus the repository config and its rules', () => {
    const dir = mountedFrom(services['prometheus']!, '/etc/prometheus');
    expect(dir).toBe(PROMETHEUS_DIR);
    for (const file of prometheus.rule_files) expect(existsSync(join(dir, file))).toBe(true);
    expect(services['prometheus']!.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
  });

  it('provisions Grafana with the Prometheus datasource and the generated dashboards', () => {
    const grafana = services['grafana']!;
    const provisioning = mountedFrom(grafana, '/etc/grafana/provisioning');
    expect(provisioning).toBe(join(REPO_ROOT, 'grafana', 'provisioning'));
    const datasources = readYaml<{ datasources: Array<{ type: string; url: string }> }>(
      join(provisioning, 'datasources', 'prometheus.yml'),
    );
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
    const providers = readYaml<{ providers: Array<{ options: { path: string } }> }>(
      join(provisioning, 'dashboards', 'metaloop.yml'),
    );
    const dashboardsPath = providers.providers[0]!.options.path;
    expect(mountedFrom(grafana, dashboardsPath)).toBe(join(REPO_ROOT, 'grafana', 'dashboards'));
    expect(grafana.environment!['GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH']).toMatch(
      new RegExp(`^${dashboardsPath}/\\w+\\.json$`),
    );
  });

  it('starts the apps only after the key job ran and their dependencies are healthy', () => {
    for (const app of APPS) {
      expect(services[app.name]!.depends_on).toEqual({
        keys: { condition: 'service_completed_successfully' },
        nats: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
    }
    expect(services['keys']!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });
});
