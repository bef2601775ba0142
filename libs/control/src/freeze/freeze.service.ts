import { Injectable } from '@nestjs/common';
import { PrismaService } from '@metaloop/db';
import type { FreezeState } from '@metaloop/contracts';
import { AuditLog } from '../audit/audit-log.service';

const FREEZE_KEY = 'freeze';

/**
 * The operator's freeze: while on, no new rollout starts and no rollout takes a further step.
 * It lives in Postgres so every replica of every app sees the same switch.
 */
@Injectable()
export class FreezeControl {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditLog,
  ) {}

  async state(): Promise<FreezeState> {
    const row = await this.prisma.controlSetting.findUnique({ where: { key: FREEZE_KEY } });
    if (!row) return { frozen: false, reason: null, updated_by: null, updated_at: null };
    return {
      frozen: (row.value as { frozen?: unknown }).frozen === true,
      reason: row.reason,
      updated_by: row.updatedBy,
      updated_at: row.updatedAt.toISOString(),
    };
  }

  async set(frozen: boolean, reason: string | undefined, actor: string): Promise<FreezeState> {
    await this.prisma.$transaction(async (tx) => {
      const value = { frozen };
      await tx.controlSetting.upsert({
        where: { key: FREEZE_KEY },
        create: { key: FREEZE_KEY, value, reason: reason ?? null, updatedBy: actor },
        update: { value, reason: reason ?? null, updatedBy: actor },
      });
      await this.audit.record(
        { actor, action: frozen ? 'freeze.on' : 'freeze.off', entityType: 'control', entityId: FREEZE_KEY, reason },
        tx,
      );
    });
    return this.state();
  }
}
