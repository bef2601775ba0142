import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DEFAULT_POLICIES_PATH } from './default-policies-path';
import { PolicyStore } from './loading/policy-store';
import { PoliciesModule } from './policies.module';

@Injectable()
class Validator {
  constructor(readonly store: PolicyStore) {}
}

/** A feature module that does not import PoliciesModule: the store is global. */
@Module({ providers: [Validator] })
class ValidationModule {}

describe('PoliciesModule', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'policies-module-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('provides the store from async options, watches while the app runs and stops at close', async () => {
    const watch = jest.spyOn(PolicyStore.prototype, 'watch');
    const close = jest.spyOn(PolicyStore.prototype, 'close');
    const moduleRef = await Test.createTestingModule({
      imports: [
        PoliciesModule.forRootAsync({ useFactory: () => ({ overrides: { ORACLE_CONFIDENCE_THRESHOLD: 0.9 } }) }),
        ValidationModule,
      ],
    }).compile();
    await moduleRef.init();
    const store = moduleRef.get(PolicyStore);
    expect(moduleRef.get(Validator).store).toBe(store);
    expect(store.current()).toMatchObject({ source_path: DEFAULT_POLICIES_PATH, policy: { confidence: { min: 0.9 } } });
    expect(watch).toHaveBeenCalledTimes(1);
    await moduleRef.close();
    expect(close).toHaveBeenCalledTimes(1);
    watch.mockRestore();
    close.mockRestore();
  });

  it('fails to start on an unusable file', async () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'canary:\n  steps: [50, 5, 100]\n');
    await expect(Test.createTestingModule({ imports: [PoliciesModule.forRoot({ path })] }).compile()).rejects.toThrow(
      `policy file ${path} rejected: canary.steps: steps must increase`,
    );
  });
});
