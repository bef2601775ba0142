import type { DynamicExamples, RetrievedExample } from '@metaloop/contracts';
import type { ExampleStore } from './example-store';

/**
 * The examples a config fetch brings for a config with dynamic_examples: the k most similar
 * (cosine ≥ min_similarity), most similar first, leaving out any that would take the input and
 * output characters past max_chars.
 */
export async function retrieveDynamicExamples(
  store: ExampleStore,
  agentId: string,
  query: string,
  settings: DynamicExamples,
): Promise<RetrievedExample[]> {
  const hits = await store.search(agentId, query, settings.k, settings.min_similarity);
  const kept: RetrievedExample[] = [];
  let chars = 0;
  for (const hit of hits) {
    const size = hit.input.length + hit.output.length;
    if (chars + size > settings.max_chars) continue;
    chars += size;
    kept.push(hit);
  }
  store.observeRetrieved(kept.length);
  return kept;
}
