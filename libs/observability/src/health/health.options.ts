import { ConfigurableModuleBuilder } from '@nestjs/common';

/** A dependency the app needs to serve traffic; `check` throws with the reason when it is down. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void> | void;
  /** false: reported, but the app stays ready while it is down (default true). */
  gatesReadiness?: boolean;
}

export interface HealthModuleOptions {
  checks: ReadinessCheck[];
  /** A check slower than this counts as down. */
  timeoutMs?: number;
}

export const { ConfigurableModuleClass: ConfigurableHealthModule, MODULE_OPTIONS_TOKEN: HEALTH_OPTIONS } =
  new ConfigurableModuleBuilder<HealthModuleOptions>().setClassMethodName('forRoot').build();
