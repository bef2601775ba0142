import { candidateKey, type CandidateSpec } from '@metaloop/contracts';
import type { AdapterContext } from './adapter';
import { AdapterError } from './errors';

type CandidateOf<K extends CandidateSpec['type']> = Extract<CandidateSpec, { type: K }>;

export function registered<K extends CandidateSpec['type']>(
  ctx: AdapterContext,
  type: K,
  key: string,
): CandidateOf<K> | undefined {
  return ctx.candidates.find(
    (candidate): candidate is CandidateOf<K> => candidate.type === type && candidateKey(candidate) === key,
  );
}

/** The registered candidate, or an `unknown_candidate` error naming the ones there are. */
export function requireCandidate<K extends CandidateSpec['type']>(
  ctx: AdapterContext,
  type: K,
  key: string,
  path: string,
): CandidateOf<K> {
  const found = registered(ctx, type, key);
  if (found) return found;
  const known = ctx.candidates.filter((candidate) => candidate.type === type).map(candidateKey);
  throw new AdapterError(
    'unknown_candidate',
    `${type} "${key}" is not a registered candidate of agent ${ctx.agentId} (registered: ${known.length > 0 ? known.join(', ') : 'none'})`,
    path,
  );
}
