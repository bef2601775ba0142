/*
 * One client for the optional models oracle-api asks for JSON (the LLM proposer, the persona
 * model, the suggestion model): an OpenAI-compatible `/chat/completions` in JSON mode with a
 * bearer key, or Anthropic's `/messages` with `x-api-key`. Callers keep their prompts, their
 * validation of the answer and their fallbacks; this only moves the text and says why it failed.
 */

export type JsonChatKind = 'openai' | 'anthropic';

export interface JsonChatSettings {
  /** Defaults to `openai`. */
  kind?: JsonChatKind;
  /** The API's base URL with its version: `https://api.openai.com/v1`, `https://api.anthropic.com/v1`. */
  url: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
}

export interface JsonChatRequest {
  system: string;
  user: string;
}

/**
 * Why a call failed: `unreachable` (no connection), `timeout` (no answer within timeoutMs),
 * `status` (a non-2xx answer), `bad_answer` (a body that is not the API's shape), `bad_json` (the
 * model's text is not JSON; only from `json()`).
 */
export type JsonChatFailure = 'unreachable' | 'timeout' | 'status' | 'bad_answer' | 'bad_json';

export class JsonChatError extends Error {
  constructor(
    readonly failure: JsonChatFailure,
    message: string,
    /** The HTTP status, when there was an answer. */
    readonly status?: number,
    /** The start of the answer's body, for a `status` failure. */
    readonly body?: string,
  ) {
    super(message);
    this.name = 'JsonChatError';
  }
}

const ANTHROPIC_VERSION = '2023-06-01';
const ANTHROPIC_MAX_TOKENS = 2_048;
const BODY_CHARS = 200;

export class JsonChatClient {
  private readonly kind: JsonChatKind;

  constructor(private readonly settings: JsonChatSettings) {
    this.kind = settings.kind ?? 'openai';
  }

  /** The model's parsed JSON answer (a Markdown code fence around it is allowed). */
  async json(request: JsonChatRequest): Promise<unknown> {
    const content = await this.text(request);
    try {
      return JSON.parse(content.trim().replace(/^```(?:json)?\s*|\s*```$/g, '')) as unknown;
    } catch {
      throw new JsonChatError('bad_json', 'the model answered no JSON');
    }
  }

  /** The model's answer as text, for a caller that parses it itself. */
  async text(request: JsonChatRequest): Promise<string> {
    const { settings, kind } = this;
    const base = settings.url.replace(/\/+$/, '');
    const call: { url: string; headers: Record<string, string>; body: unknown } =
      kind === 'anthropic'
        ? {
            url: `${base}/messages`,
            headers: {
              'anthropic-version': ANTHROPIC_VERSION,
              ...(settings.apiKey ? { 'x-api-key': settings.apiKey } : {}),
            },
            body: {
              model: settings.model,
              max_tokens: ANTHROPIC_MAX_TOKENS,
              temperature: 0,
              system: request.system,
              messages: [{ role: 'user', content: request.user }],
            },
          }
        : {
            url: `${base}/chat/completions`,
            headers: settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {},
            body: {
              model: settings.model,
              temperature: 0,
              response_format: { type: 'json_object' },
              messages: [
                { role: 'system', content: request.system },
                { role: 'user', content: request.user },
              ],
            },
          };
    let response: Response;
    let text: string;
    try {
      response = await fetch(call.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...call.headers },
        body: JSON.stringify(call.body),
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError')
        throw new JsonChatError('timeout', `the model API did not answer within ${settings.timeoutMs} ms`);
      throw new JsonChatError('unreachable', `the model API could not be reached: ${(error as Error).message}`);
    }
    if (!response.ok) {
      const body = text.slice(0, BODY_CHARS);
      throw new JsonChatError('status', `the model API answered ${response.status}: ${body}`, response.status, body);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new JsonChatError('bad_answer', `the model API answered ${response.status} without JSON`, response.status);
    }
    const content = kind === 'anthropic' ? anthropicText(body) : openAiText(body);
    if (content === undefined)
      throw new JsonChatError(
        'bad_answer',
        kind === 'anthropic' ? 'the answer has no text content block' : 'the answer has no choices[0].message.content',
        response.status,
      );
    return content;
  }
}

function openAiText(body: unknown): string | undefined {
  const content = (body as { choices?: Array<{ message?: { content?: unknown } }> } | null)?.choices?.[0]?.message
    ?.content;
  return typeof content === 'string' ? content : undefined;
}

function anthropicText(body: unknown): string | undefined {
  const blocks = (body as { content?: unknown } | null)?.content;
  if (!Array.isArray(blocks)) return undefined;
  const texts = blocks
    .filter((b): b is { type: 'text'; text: string } => (b as { type?: unknown })?.type === 'text')
    .map((b) => b.text)
    .filter((t) => typeof t === 'string');
  return texts.length > 0 ? texts.join('') : undefined;
}
