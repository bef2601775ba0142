import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// eslint.config.mjs enforces the layers (@nx/enforce-module-boundaries on the tags in each
// project's package.json). Lints one-line files that are not on disk, at paths inside the
// projects, the way a project's own `eslint src` sees them (run from its directory, the rule
// reading the project graph nx cached). The imports chosen close no cycle between projects: the
// rule reports a cycle instead of the layer.
const ROOT = join(__dirname, '..');
const PROBE = join(__dirname, 'eslint-probe.mjs');

interface Probe {
  path: string;
  code: string;
}

const ALLOWED_IN_APPS = '"layer:domain", "layer:infra", "layer:contracts", "layer:core"';

const wrong: [string, Probe, string][] = [
  [
    'core imports infra',
    { path: 'libs/core/src/probe.ts', code: "export { PrismaService } from '@metaloop/db';" },
    'A project tagged with "layer:core" can only depend on libs tagged with "layer:core"',
  ],
  [
    'core imports contracts',
    { path: 'libs/stats/src/probe.ts', code: "export { natsTopology } from '@metaloop/contracts';" },
    'A project tagged with "layer:core" can only depend on libs tagged with "layer:core"',
  ],
  [
    'core imports Nest',
    { path: 'libs/core/src/probe.ts', code: "export { Injectable } from '@nestjs/common';" },
    'A project tagged with "layer:core" is not allowed to import "@nestjs/common"',
  ],
  [
    'contracts imports pg',
    { path: 'libs/contracts/src/probe.ts', code: "export { Pool } from 'pg';" },
    'A project tagged with "layer:contracts" is not allowed to import "pg"',
  ],
  [
    'a contracts spec imports NATS',
    { path: 'libs/contracts/src/probe.spec.ts', code: "export { connect } from '@nats-io/transport-node';" },
    'A project tagged with "layer:contracts" is not allowed to import "@nats-io/transport-node"',
  ],
  [
    'infra imports domain',
    { path: 'libs/observability/src/probe.ts', code: "export { PolicyStore } from '@metaloop/policies';" },
    'A project tagged with "layer:infra" can only depend on libs tagged with "layer:infra", "layer:contracts", "layer:core"',
  ],
  [
    'domain imports an app',
    { path: 'libs/policies/src/probe.ts', code: "export { runEfficacy } from '@metaloop/simulator';" },
    'A project tagged with "layer:domain" can only depend on libs tagged with "layer:domain", "layer:infra", "layer:contracts", "layer:core"',
  ],
  [
    'an app imports another app',
    { path: 'apps/orchestrator/src/probe.ts', code: "export { AppModule } from '@metaloop/oracle-api';" },
    `A project tagged with "layer:app" can only depend on libs tagged with ${ALLOWED_IN_APPS}`,
  ],
  [
    'the memory lib (domain) imports an app',
    { path: 'libs/memory/src/probe.ts', code: "export { runEfficacy } from '@metaloop/simulator';" },
    'A project tagged with "layer:domain" can only depend on libs tagged with "layer:domain", "layer:infra", "layer:contracts", "layer:core"',
  ],
  [
    'app code imports the test harness',
    { path: 'apps/oracle-api/src/probe.ts', code: "export { testEnv } from '@metaloop/testing';" },
    `A project tagged with "layer:app" can only depend on libs tagged with ${ALLOWED_IN_APPS}`,
  ],
];

const right: [string, Probe][] = [
  [
    'contracts imports core',
    { path: 'libs/contracts/src/probe.ts', code: "export { contentHash } from '@metaloop/core';" },
  ],
  [
    'infra imports an infra peer',
    { path: 'libs/platform/src/probe.ts', code: "export { NatsService } from '@metaloop/messaging';" },
  ],
  [
    'domain imports a domain peer',
    { path: 'libs/control/src/probe.ts', code: "export { RevisionsService } from '@metaloop/registry';" },
  ],
  [
    'the memory lib imports a domain peer (policies)',
    { path: 'libs/memory/src/probe.ts', code: "export { memoryPolicySchema } from '@metaloop/policies';" },
  ],
  [
    'an app imports domain',
    { path: 'apps/orchestrator/src/probe.ts', code: "export { RollbackService } from '@metaloop/control';" },
  ],
  [
    'a spec imports the test harness',
    { path: 'apps/oracle-api/src/probe.spec.ts', code: "export { testEnv } from '@metaloop/testing';" },
  ],
  [
    'a test helper imports the test harness',
    { path: 'libs/core/src/__tests__/probe.ts', code: "export { testEnv } from '@metaloop/testing';" },
  ],
];

/** The layer rule's messages (and parse errors) for each probe, linted from libs/core. */
function lint(probes: Probe[]): string[][] {
  const input = JSON.stringify(probes.map(({ path, code }) => ({ filePath: join(ROOT, path), code })));
  const output = execFileSync(process.execPath, [PROBE], { cwd: join(ROOT, 'libs/core'), input, encoding: 'utf8' });
  // Without a cached project graph the rule skips itself, saying so on stdout before our line.
  if (output.includes('No cached ProjectGraph'))
    throw new Error('nx has cached no project graph: run this through nx (npx nx run scripts:test)');
  const results = JSON.parse(output.trim().split('\n').at(-1)!) as {
    messages: { ruleId: string | null; message: string }[];
  }[];
  return results.map(({ messages }) =>
    messages
      .filter(({ ruleId }) => ruleId === null || ruleId === '@nx/enforce-module-boundaries')
      .map(({ message }) => message),
  );
}

describe('the layer rule in eslint.config.mjs', () => {
  let wrongMessages: string[][];
  let rightMessages: string[][];

  beforeAll(() => {
    const messages = lint([...wrong.map(([, probe]) => probe), ...right.map(([, probe]) => probe)]);
    wrongMessages = messages.slice(0, wrong.length);
    rightMessages = messages.slice(wrong.length);
  });

  it.each(wrong.map(([name, probe, message], i) => [name, probe.path, message, i] as const))(
    'rejects: %s (%s)',
    (_name, _path, message, i) => {
      expect(wrongMessages[i]).toEqual([message]);
    },
  );

  it.each(right.map(([name, probe], i) => [name, probe.path, i] as const))('allows: %s (%s)', (_name, _path, i) => {
    expect(rightMessages[i]).toEqual([]);
  });
});
