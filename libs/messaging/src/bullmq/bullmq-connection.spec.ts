import { bullmqConnection } from './bullmq-connection';

describe('bullmqConnection', () => {
  it.each([
    ['redis://127.0.0.1:6379', { host: '127.0.0.1', port: 6379 }],
    ['redis://cache', { host: 'cache', port: 6379 }],
    ['redis://:s%40cret@cache:6380/2', { host: 'cache', port: 6380, password: 's@cret', db: 2 }],
    ['rediss://user:pw@[::1]:7000', { host: '::1', port: 7000, username: 'user', password: 'pw', tls: {} }],
  ])('reads %s', (url, expected) => {
    const options = bullmqConnection(url, 'oracle-api');
    expect(options).toMatchObject({ ...expected, connectionName: 'oracle-api', maxRetriesPerRequest: null });
    expect(options).not.toHaveProperty('keyPrefix');
  });
});
