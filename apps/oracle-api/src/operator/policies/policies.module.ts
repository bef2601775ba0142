import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PoliciesModule, policyStoreOptionsFromEnv } from '@metaloop/policies';
import { PoliciesController } from './policies.controller';

/**
 * The policy store (global: the validator and the tick read it too), configured from the env
 * (POLICIES_PATH, seed 004's overrides), and the route that shows what is in force.
 */
@Module({
  imports: [
    PoliciesModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => policyStoreOptionsFromEnv((name) => config.get(name)),
    }),
  ],
  controllers: [PoliciesController],
})
export class PoliciesApiModule {}
