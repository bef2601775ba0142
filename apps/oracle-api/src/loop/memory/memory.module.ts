import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../../config/env.schema';
import { MemoryMetrics } from './memory.metrics';
import { MemoryService } from './memory.service';
import { HttpPersonaModel, PERSONA_MODEL } from './persona-model';

/** Per-subject memory and persona (seed 002): ingested feedback with a subject_id → memory, facets, logs. */
@Module({
  providers: [
    MemoryService,
    MemoryMetrics,
    {
      provide: PERSONA_MODEL,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => {
        const url = config.get('MEMORY_PERSONA_MODEL_URL', { infer: true });
        if (!url) return undefined;
        return new HttpPersonaModel(
          url,
          config.get('MEMORY_PERSONA_MODEL', { infer: true }),
          config.get('MEMORY_PERSONA_MODEL_API_KEY', { infer: true }),
          config.get('MEMORY_PERSONA_MODEL_TIMEOUT_MS', { infer: true }),
        );
      },
    },
  ],
  exports: [MemoryService],
})
export class MemoryModule {}
