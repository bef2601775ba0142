import { Module } from '@nestjs/common';
import { ControlModule } from '@metaloop/control';
import { RegistryModule } from '@metaloop/registry';
import { SuggestionsController } from './suggestions.controller';
import { SuggestionsService } from './suggestions.service';

/** Suggestions (seed 003): the only writer of the suggestions table; candidates through the registry. */
@Module({
  imports: [RegistryModule, ControlModule],
  controllers: [SuggestionsController],
  providers: [SuggestionsService],
})
export class SuggestionsModule {}
