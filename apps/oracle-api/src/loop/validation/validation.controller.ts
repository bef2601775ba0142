import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes, type Principal } from '@metaloop/auth';
import { actorOf } from '@metaloop/control';
import {
  validateRequestSchema,
  validationResultSchema,
  type PlanInput,
  type ValidateRequest,
  type ValidationResult,
} from '@metaloop/contracts';
import { Idempotent } from '@metaloop/platform';
import { PlansService } from '../plans/plans.service';
import { ValidationService } from './validation.service';

@ApiTags('oracle')
@Controller('api/v1/oracle')
export class ValidationController {
  constructor(
    private readonly validation: ValidationService,
    private readonly plans: PlansService,
  ) {}

  @Post('validate')
  @HttpCode(200)
  @RequireScopes('oracle:write')
  @Idempotent()
  @ApiOperation({
    summary: 'Run the SPEC gates over a plan',
    description:
      'A plan with a `plan_id` is the stored plan (the client copy is not used); a plan without one is stored first. `overall_passed` when no gate fails; `requires_approval` when a gate asks for a person.',
  })
  @ApiResponse({ status: 200, standardSchema: validationResultSchema })
  async validate(
    @Body({ schema: validateRequestSchema }) body: ValidateRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ValidationResult> {
    const actor = actorOf(principal);
    const plan = body.plan;
    const planId =
      body.plan_id ??
      (plan && 'plan_id' in plan && plan.plan_id
        ? plan.plan_id
        : (await this.plans.create(plan as PlanInput, actor)).plan_id);
    return this.validation.validate(planId, actor);
  }
}
