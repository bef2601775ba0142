import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEnv } from '@metaloop/testing';
import { DEPLOY_DIR } from './support/repo';

const CONF = join(DEPLOY_DIR, 'nats', 'nats.conf');

/** The local nats-server's version as [major, minor]. */
function natsServerVersion(): [number, number] {
  const out = spawnSync(testEnv.NATS_SERVER_BIN, ['--version'], { encoding: 'utf8' }).stdout;
  const match = /v(\d+)\.(\d+)/.exec(out);
  if (!match) throw new Error(`cannot run ${testEnv.NATS_SERVER_BIN} --version: ${out}`);
  return [Number(match[1]), Number(match[2])];
}

describe('deploy/nats/nats.conf', () => {
  it('is a configuration nats-server accepts', () => {
    const [major, minor] = natsServerVersion();
    // sync_interval came with 2.10: an older local server checks everything else (compose runs 2.11+).
    const knowsSyncInterval = major * 100 + minor >= 210;
    const dir = mkdtempSync(join(tmpdir(), 'metaloop-nats-conf-'));
    try {
      let conf = readFileSync(CONF, 'utf8').replace(/store_dir:\s*\S+/, `store_dir: ${join(dir, 'js')}`);
      if (!knowsSyncInterval) conf = conf.replace(/^\s*sync_interval:.*$/m, '');
      writeFileSync(join(dir, 'nats.conf'), conf);
      const result = spawnSync(testEnv.NATS_SERVER_BIN, ['-t', '-c', join(dir, 'nats.conf')], { encoding: 'utf8' });
      expect({ status: result.status, output: `${result.stdout}${result.stderr}` }).toEqual({
        status: 0,
        output: expect.stringContaining('is valid'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
