import type { Facets, Selection } from '@metaloop/memory';
import { JsonChatClient } from '../../common/json-chat-client';

/** The optional model that proposes facet deltas (seed 002's AI-enhanced persona update). */
export interface PersonaModel {
  /** The model's raw proposal (to be validated and clamped by the caller), or undefined when it did not answer. */
  propose(request: PersonaModelRequest): Promise<unknown>;
}

export interface PersonaModelRequest {
  facets: Facets;
  selection?: Selection;
  userInput?: string;
  signals: string[];
}

export const PERSONA_MODEL = Symbol('PERSONA_MODEL');

const SYSTEM = [
  "You update a user's persona facets (each in [0, 1]) from one interaction.",
  'Answer only JSON: {"facet_updates": {"<facet>": <delta between -0.1 and 0.1>}} using only the facets given.',
  'Small deltas; leave out facets the interaction says nothing about.',
].join(' ');

/** An OpenAI-compatible /chat/completions endpoint asked for `{facet_updates}` in JSON. */
export class HttpPersonaModel implements PersonaModel {
  private readonly client: JsonChatClient;

  constructor(baseUrl: string, model: string, apiKey: string | undefined, timeoutMs: number) {
    this.client = new JsonChatClient({ url: baseUrl, model, apiKey, timeoutMs });
  }

  propose(request: PersonaModelRequest): Promise<unknown> {
    return this.client.json({
      system: SYSTEM,
      user: JSON.stringify({
        facets: request.facets,
        user_input: request.userInput ?? null,
        options: request.selection?.options.map((o) => ({ id: o.id, text: o.text })) ?? [],
        selected_id: request.selection?.selected.id ?? null,
        signals: request.signals,
      }),
    });
  }
}
