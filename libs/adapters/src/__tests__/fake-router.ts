import { verifyWebhookSignature } from '../webhook-signature';
import { json, startFakeServer, type FakeServer } from '@metaloop/testing';

export interface FakeRouter extends FakeServer {
  /** The weights it routes by now, per agent. */
  weights: Map<string, Record<string, number>>;
  /** Delivery ids it applied (a repeat is acknowledged, not applied again). */
  deliveries: string[];
}

/** A user's router: checks the signature, drops repeated deliveries, keeps the last weights. */
export async function startFakeRouter(secret: string): Promise<FakeRouter> {
  const weights = new Map<string, Record<string, number>>();
  const deliveries: string[] = [];
  const server = await startFakeServer((request, response) => {
    const signature = request.headers['x-metaloop-signature'];
    if (!verifyWebhookSignature(secret, typeof signature === 'string' ? signature : undefined, request.body, 300)) {
      return json(response, 401, { error: 'bad signature' });
    }
    const delivery = String(request.headers['x-metaloop-delivery']);
    if (deliveries.includes(delivery)) return json(response, 200, { duplicate: true });
    const body = JSON.parse(request.body) as { agent_id: string; weights: Record<string, number> };
    deliveries.push(delivery);
    weights.set(body.agent_id, body.weights);
    json(response, 200, { duplicate: false });
  });
  return Object.assign(server, { weights, deliveries });
}
