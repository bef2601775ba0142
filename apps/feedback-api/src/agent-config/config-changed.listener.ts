import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { configChangedMessageSchema, CORE_SUBJECTS } from '@metaloop/contracts';
import { AgentConfigMetrics } from './agent-config.metrics';
import { LiveConfigCache } from './live-config.cache';

/** `config.changed` from whoever changed an agent's live config (oracle-api, the orchestrator). */
@Controller()
export class ConfigChangedListener {
  private readonly logger = new Logger(ConfigChangedListener.name);

  constructor(
    private readonly cache: LiveConfigCache,
    private readonly metrics: AgentConfigMetrics,
  ) {}

  @EventPattern(CORE_SUBJECTS.configChanged)
  async onConfigChanged(@Payload() payload: unknown): Promise<void> {
    const message = configChangedMessageSchema.safeParse(payload);
    if (!message.success) {
      this.metrics.messages.inc({ outcome: 'invalid' });
      this.logger.warn(
        `ignoring an invalid config.changed message: ${message.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
      return;
    }
    await this.cache.onChanged(message.data);
  }
}
