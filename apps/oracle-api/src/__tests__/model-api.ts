import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

type Answer = { status: number; body: string } | 'hang';

/**
 * A local HTTP server that answers like OpenAI's chat completions or Anthropic's messages API,
 * with whatever the test queues next (or never, for the timeout).
 */
export class ModelApi {
  readonly requests: Array<{ url: string; headers: IncomingMessage['headers']; body: Record<string, unknown> }> = [];
  private readonly answers: Answer[] = [];
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      let raw = '';
      request.on('data', (chunk) => (raw += chunk));
      request.on('end', () => {
        this.requests.push({ url: request.url!, headers: request.headers, body: JSON.parse(raw) });
        const answer = this.answers.shift() ?? { status: 500, body: '{"error":"nothing queued"}' };
        if (answer === 'hang') return;
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  openAi(content: string): void {
    this.answers.push({
      status: 200,
      body: JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      }),
    });
  }

  anthropic(text: string): void {
    this.answers.push({
      status: 200,
      body: JSON.stringify({
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        content: [{ type: 'text', text }],
        stop_reason: 'end_turn',
      }),
    });
  }

  fail(status: number, body = '{"error":{"type":"overloaded_error"}}'): void {
    this.answers.push({ status, body });
  }

  hang(): void {
    this.answers.push('hang');
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
