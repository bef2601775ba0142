import { Module } from '@nestjs/common';
import { AuditLog } from './audit/audit-log.service';
import { MutationBudget } from './budget/mutation-budget.service';
import { FreezeControl } from './freeze/freeze.service';
import { PlanLifecycle } from './lifecycle/plan-lifecycle.service';

const services = [AuditLog, FreezeControl, MutationBudget, PlanLifecycle];

/** Needs the app's (global) PrismaModule. */
@Module({ providers: services, exports: services })
export class ControlModule {}
