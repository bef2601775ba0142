import { Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '@metaloop/db';
import { CORE_SUBJECTS, type ConfigChangedMessage } from '@metaloop/contracts';
import { NatsEventsClient } from '@metaloop/messaging';
import { lastValueFrom } from 'rxjs';
import { AgentNotFoundError } from './registry.errors';

/** Announces changes of an agent's live config on `config.changed` (core NATS, every replica hears it). */
@Injectable()
export class ConfigChangePublisher {
  private readonly logger = new Logger(ConfigChangePublisher.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly events: NatsEventsClient,
  ) {}

  /**
   * Announces the agent's current version, with its last change time as `changed_at`. For
   * changes made through LiveConfigStore.changeLiveConfig that happens already.
   */
  async publishAgentChanged(agentId: string, reason: string): Promise<ConfigChangedMessage> {
    const agent = await this.prisma.agent.findUnique({
      where: { id: agentId },
      select: { configVersion: true, updatedAt: true },
    });
    if (!agent) throw new AgentNotFoundError(agentId);
    const message = {
      agent_id: agentId,
      version: agent.configVersion,
      reason,
      changed_at: agent.updatedAt.toISOString(),
    };
    await this.publish(message);
    return message;
  }

  /**
   * Best effort, and says whether it went out: core NATS keeps nothing while it is down, and
   * receivers heal a lost message with their periodic resync, so a change never fails for it.
   */
  async publish(message: ConfigChangedMessage): Promise<boolean> {
    try {
      await lastValueFrom(this.events.emit(CORE_SUBJECTS.configChanged, message), { defaultValue: undefined });
      return true;
    } catch (error) {
      this.logger.warn(
        `config.changed for ${message.agent_id} v${message.version} not published (${(error as Error).message}); receivers catch up on their next resync`,
      );
      return false;
    }
  }
}
