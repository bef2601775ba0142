import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { scratchSchema, withClient, type ScratchSchema } from '@metaloop/testing';
import { COMPOSE_FILE, K8S_DIR, readYaml, readYamlDocuments, REPO_ROOT } from './support/repo';

interface KeysJob {
  kind: string;
  spec: { template: { spec: { containers: Array<{ command: string[] }> } } };
}

const composeCommand = readYaml<{ services: Record<string, { command: string[] }> }>(COMPOSE_FILE).services['keys']!
  .command;
const jobCommand = readYamlDocuments<KeysJob>(join(K8S_DIR, 'keys-job.yaml')).find((doc) => doc.kind === 'Job')!.spec
  .template.spec.containers[0]!.command;

/**
 * The one-shot that lets production-mode apps start on a fresh database (they refuse to
 * without an active API key), run as the image runs it: from the repository root, where the
 * image's /app has the same layout.
 */
describe.each([
  ['docker-compose keys service', composeCommand],
  ['Kubernetes metaloop-keys Job', jobCommand],
])('%s', (_, command) => {
  let schema: ScratchSchema;
  const run = () =>
    spawnSync(command[0]!, command.slice(1), {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: schema.url },
      encoding: 'utf8',
    });
  const activeKeys = async () =>
    (
      await withClient((client) =>
        client.query(`SELECT count(*)::int AS n FROM "${schema.schema}".api_keys WHERE revoked_at IS NULL`),
      )
    ).rows[0].n as number;

  beforeAll(async () => {
    schema = await scratchSchema('deploy-keys');
  });

  afterAll(() => schema?.drop());

  it('migrates and creates one admin key on a fresh database, printing it', async () => {
    const first = run();
    expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: '' });
    expect(first.stdout).toMatch(/API key created[\s\S]*scopes {3}admin/);
    expect(await activeKeys()).toBe(1);
  });

  it('creates no second key when it runs again', async () => {
    const again = run();
    expect(again.status).toBe(0);
    expect(again.stdout).not.toContain('API key created');
    expect(await activeKeys()).toBe(1);
  });
});
