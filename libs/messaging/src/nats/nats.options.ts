import { ConfigurableModuleBuilder } from '@nestjs/common';

export interface NatsModuleOptions {
  servers: string[];
  /** Client name, e.g. the app's name. */
  name: string;
  /** Namespace for streams and subjects (see natsTopology); empty in production. */
  prefix?: string;
  /** Create or update the JetStream streams on every (re)connect. */
  ensureStreams?: boolean;
  timeoutMs?: number;
}

export const { ConfigurableModuleClass: ConfigurableNatsModule, MODULE_OPTIONS_TOKEN: NATS_OPTIONS } =
  new ConfigurableModuleBuilder<NatsModuleOptions>().setClassMethodName('forRoot').build();
