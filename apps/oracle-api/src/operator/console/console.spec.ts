import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';

/** A built console as vite leaves it: index.html and hashed assets. */
function fakeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>metaloop console</title>');
  writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  return dir;
}

describe('operator console: its files at /console and GET /api/v1/auth/whoami', () => {
  let h: OracleHarness;

  beforeAll(async () => {
    h = await oracleHarness('oracle_console', { CONSOLE_DIR: fakeBuild(), GRAFANA_URL: 'http://grafana.test:3000' });
  });
  afterAll(() => h?.dispose());

  const get = (url: string, headers: Record<string, string> = {}) =>
    h.apps[0]!.getHttpAdapter().getInstance().inject({ method: 'GET', url, headers });

  it('serves index.html at /console and for any view path (the SPA routes itself), revalidated', async () => {
    for (const url of ['/console', '/console/', '/console/plans', '/console/agents/a_1?x=1', '/console/rollouts/abc']) {
      const response = await get(url);
      expect({ url, status: response.statusCode }).toEqual({ url, status: 200 });
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toContain('metaloop console');
    }
  });

  it('serves hashed assets as immutable and a missing asset as 404, not the page', async () => {
    const asset = await get('/console/assets/index-abc.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toContain('immutable');
    const gone = await get('/console/assets/gone.js');
    expect(gone.statusCode).toBe(404);
    expect(gone.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(gone.json()).toMatchObject({ status: 404, detail: 'no console file assets/gone.js' });
    expect((await get('/console/%ff')).statusCode).toBe(400);
    expect((await get('/console/../package.json')).body).not.toContain('"name"');
  });

  it('names the calling key and its scopes (open mode: the anonymous admin) and the Grafana URL', async () => {
    const response = await get('/api/v1/auth/whoami');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      key_id: null,
      name: 'anonymous',
      scopes: ['admin'],
      grafana_url: 'http://grafana.test:3000',
    });
  });
});
