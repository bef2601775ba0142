import { httpWithRetry, retryPolicy, type RetryPolicy } from './http';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhook } from './webhook-signature';

export interface RouterWebhookOptions extends Partial<RetryPolicy> {
  webhookUrl: string;
  /** HMAC-SHA256 key shared with the user's router. */
  secret: string;
}

/** What the router receives: the weights to route by now, for which agent and rollout. */
export interface RouterDelivery {
  agent_id: string;
  environment: string;
  operation_id: string;
  phase: 'apply' | 'revert';
  weights: Record<string, number>;
}

export class RouterWebhook {
  private readonly policy: RetryPolicy;

  constructor(private readonly options: RouterWebhookOptions) {
    this.policy = retryPolicy(options);
  }

  /** Every attempt is signed afresh; the delivery id stays `<operation_id>:<phase>`, so the router can drop repeats. */
  async deliver(delivery: RouterDelivery): Promise<void> {
    const body = JSON.stringify(delivery);
    await httpWithRetry(
      {
        method: 'POST',
        url: this.options.webhookUrl,
        body,
        headers: () => ({
          [SIGNATURE_HEADER]: signWebhook(this.options.secret, body, Math.floor(Date.now() / 1000)),
          [DELIVERY_HEADER]: `${delivery.operation_id}:${delivery.phase}`,
        }),
      },
      this.policy,
    );
  }
}
