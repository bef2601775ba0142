export { testEnv } from './test-env';
export { isolatedServiceEnv, isolationId, scratchSchema, withClient, type ScratchSchema } from './isolation';
export { startNatsServer, type TestNatsServer } from './nats-server';
export { freePort } from './ports';
export { eventually } from './eventually';
export { spawnApp, WORKSPACE_ROOT, type AppProcess } from './app-process';
export { json, startFakeServer, type FakeServer } from './fake-server';
export { startFakeVllm, type FakeVllm } from './fake-vllm';
export { deleteRedisKeys } from './redis-keys';
