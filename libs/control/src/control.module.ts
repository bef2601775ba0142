import { Module } from '@nestjs/common';
import { AuditLog } from './audit/audit-log.service';
import { MutationBudget } from './budget/mutation-budget.service';
import { FreezeControl } from './freeze/freeze.service';

/** Needs the app's (global) PrismaModule. */
@Module({ providers: [AuditLog, FreezeControl, MutationBudget], exports: [AuditLog, FreezeControl, MutationBudget] })
export class ControlModule {}
