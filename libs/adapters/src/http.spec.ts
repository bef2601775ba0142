import { startFakeServer, type FakeServer } from '@metaloop/testing';
import { FAST } from './__tests__/fixtures';
import { HttpCallError, httpWithRetry } from './http';

describe('httpWithRetry', () => {
  let server: FakeServer;
  beforeEach(async () => {
    server = await startFakeServer((_request, response) => void response.end('ok'));
  });
  afterEach(() => server.close());
  const call = (path = '/x') => httpWithRetry({ method: 'POST', url: `${server.url}${path}`, body: '{}' }, FAST);
  /** FAST's 150 ms timeout, which the hang cases need short, can pass on a loaded machine: an extra attempt. */
  const callWithoutTimeouts = () =>
    httpWithRetry({ method: 'POST', url: `${server.url}/x`, body: '{}' }, { ...FAST, timeoutMs: 10_000 });

  it.each([[503], [429]])('retries after %s and then succeeds', async (fault) => {
    server.fault('/x', fault, 2);
    expect(await callWithoutTimeouts()).toEqual({ status: 200, text: 'ok', attempts: 3 });
  });

  it('retries after a hang and then succeeds', async () => {
    server.fault('/x', 'hang', 2);
    expect(await call()).toEqual({ status: 200, text: 'ok', attempts: 3 });
  });

  it('does not retry another 4xx', async () => {
    server.fault('/x', 422);
    await expect(callWithoutTimeouts()).rejects.toMatchObject({ name: 'HttpCallError', status: 422, attempts: 1 });
    expect(server.received).toHaveLength(1);
  });

  it('gives up after its retries, saying why', async () => {
    server.fault('/x', 'hang');
    const failure = await call().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HttpCallError);
    expect((failure as Error).message).toBe(
      `POST ${server.url}/x failed after 3 attempts: timed out after ${FAST.timeoutMs} ms`,
    );
  });

  it('names a refused connection', async () => {
    await server.close();
    await expect(call()).rejects.toThrow(/failed after 3 attempts: fetch failed: .*ECONNREFUSED/);
  });

  it('counts accepted answers as success', async () => {
    server.fault('/x', 409);
    const answer = await httpWithRetry(
      { method: 'POST', url: `${server.url}/x`, accept: (status) => status === 409 },
      FAST,
    );
    expect(answer.status).toBe(409);
  });
});
