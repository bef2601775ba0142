/**
 * Compile-time proof that the SDK's wire types are the contract's (`@metaloop/contracts`' zod
 * schemas): checked by this project's typecheck, never built into the package. A field added,
 * removed, renamed or retyped in a schema makes one of these lines an error.
 */
import type {
  agentConfigSchema,
  agentConfigWithExamplesResponseSchema,
  BulkResponse as ContractBulkResponse,
  feedbackEventSchema,
  systemMetricSchema,
} from '@metaloop/contracts';
import type { z } from 'zod';
import type {
  AgentConfig,
  BulkResponse,
  ExplicitFeedback,
  FeedbackEvent,
  ImplicitFeedback,
  ServedConfig,
  SubjectContext,
  SystemMetric,
} from './wire';

/** Same keys, and each assignable to the other. */
export type Same<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never]
      ? true
      : { keys_differ: Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A> }
    : { contract_not_assignable_to_sdk: B }
  : { sdk_not_assignable_to_contract: A };

/** Compiles only when given `true`. */
export function assertSame<T extends true>(..._proof: T extends true ? [] : [never]): void {}

type EventIn = z.input<typeof feedbackEventSchema>;
type EventOut = z.output<typeof feedbackEventSchema>;
/** The input, where free-form JSON (context, explicit.selection) is typed by its output: the schema takes `unknown` there and checks it at run time. */
type ContractEvent = Omit<EventIn, 'context' | 'explicit'> & Pick<EventOut, 'context' | 'explicit'>;
type ContractServed = z.output<typeof agentConfigWithExamplesResponseSchema>;

assertSame<Same<FeedbackEvent, ContractEvent>>();
assertSame<Same<ExplicitFeedback, NonNullable<ContractEvent['explicit']>>>();
assertSame<Same<ImplicitFeedback, NonNullable<ContractEvent['implicit']>>>();
assertSame<Same<NonNullable<FeedbackEvent['artifacts']>, NonNullable<ContractEvent['artifacts']>>>();
assertSame<Same<SystemMetric, z.input<typeof systemMetricSchema>>>();
assertSame<Same<BulkResponse, ContractBulkResponse>>();
assertSame<Same<BulkResponse['results'][number], ContractBulkResponse['results'][number]>>();
assertSame<Same<AgentConfig, z.output<typeof agentConfigSchema>>>();
assertSame<Same<AgentConfig['params'], z.output<typeof agentConfigSchema>['params']>>();
assertSame<Same<AgentConfig['memory'][number], z.output<typeof agentConfigSchema>['memory'][number]>>();
assertSame<Same<AgentConfig['examples'][number], z.output<typeof agentConfigSchema>['examples'][number]>>();
assertSame<
  Same<
    NonNullable<AgentConfig['dynamic_examples']>,
    NonNullable<z.output<typeof agentConfigSchema>['dynamic_examples']>
  >
>();
assertSame<Same<ServedConfig, ContractServed>>();
assertSame<Same<SubjectContext, NonNullable<ContractServed['subject_context']>>>();
assertSame<
  Same<SubjectContext['context_breakdown'], NonNullable<ContractServed['subject_context']>['context_breakdown']>
>();
assertSame<
  Same<
    NonNullable<ServedConfig['examples_retrieved']>[number],
    NonNullable<ContractServed['examples_retrieved']>[number]
  >
>();
