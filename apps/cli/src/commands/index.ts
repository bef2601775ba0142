import type { Verb } from '../command';
import { capture } from './capture';
import { datasets } from './datasets';
import { analyze, report, suggest } from './insights';
import { keys } from './keys';
import { plans, status, tick } from './loop';
import { memory } from './memory';
import { audit, dlq, findings, policies } from './oracle';
import { agents, candidates, config } from './registry';
import { deploy, examples, metrics, register, revisions, subjectLogs, training } from './registry-write';
import { freeze, rollback, rollouts, unfreeze } from './rollouts';

/** Every verb, in the order `metaloop --help` lists them: seed 003's first, then the operator's. */
export const VERBS: readonly Verb[] = [
  capture,
  analyze,
  report,
  suggest,
  tick,
  status,
  findings,
  plans,
  rollouts,
  rollback,
  freeze,
  unfreeze,
  agents,
  candidates,
  register,
  deploy,
  revisions,
  config,
  examples,
  metrics,
  memory,
  subjectLogs,
  datasets,
  training,
  audit,
  policies,
  dlq,
  keys,
];
