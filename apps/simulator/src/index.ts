// The fleet simulator's public face: the efficacy benchmark (bench/efficacy.mjs drives it on
// a mesh of its own) and the pieces it is made of. The demo's entry is demo/main.ts.
export { MetaloopClient, ApiError, type Endpoints } from './api/client';
export type * from './api/wire';
export { efficacyArgs, parseFlags, EFFICACY_FLAGS, type EfficacyArgs } from './cli/options';
export { runEfficacy, type EfficacyOptions } from './efficacy/run-efficacy';
export { scaleFleetLimits, POLICY_FLEET_SIZE } from './efficacy/policy-scaling';
export { renderText } from './report/render-text';
export { renderHtml } from './report/render-html';
export type { EfficacyReport } from './report/efficacy-report';
export { buildFleet, qualityOf, bestQuality, type Fleet, type AgentTruth, type TruthClass } from './truth/fleet';
export { interact, DEFAULT_USER_MODEL, type UserModel } from './users/user-model';
