import { Module } from '@nestjs/common';
import { PoliciesController } from './policies.controller';

/** The route that shows the policy in force (the store itself is a root, in the app module). */
@Module({ controllers: [PoliciesController] })
export class PoliciesApiModule {}
