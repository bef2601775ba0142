import type { Facets, Selection } from '@metaloop/memory';

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
  constructor(
    private readonly baseUrl: string,
    private readonly model: string,
    private readonly apiKey: string | undefined,
    private readonly timeoutMs: number,
  ) {}

  async propose(request: PersonaModelRequest): Promise<unknown> {
    const response = await fetch(`${this.baseUrl.replace(/\/$/, '')}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
      },
      body: JSON.stringify({
        model: this.model,
        temperature: 0,
        response_format: { type: 'json_object' },
        messages: [
          { role: 'system', content: SYSTEM },
          {
            role: 'user',
            content: JSON.stringify({
              facets: request.facets,
              user_input: request.userInput ?? null,
              options: request.selection?.options.map((o) => ({ id: o.id, text: o.text })) ?? [],
              selected_id: request.selection?.selected.id ?? null,
              signals: request.signals,
            }),
          },
        ],
      }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) throw new Error(`persona model answered ${response.status}`);
    const body = (await response.json()) as { choices?: Array<{ message?: { content?: unknown } }> };
    const content = body.choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw new Error('persona model answered no message');
    return JSON.parse(content.replace(/^```(?:json)?\s*|\s*```$/g, '')) as unknown;
  }
}
