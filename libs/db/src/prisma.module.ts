import { Global, Module } from '@nestjs/common';
import { ConfigurablePrismaModule } from './prisma.options';
import { PrismaService } from './prisma.service';

@Global()
@Module({ providers: [PrismaService], exports: [PrismaService] })
export class PrismaModule extends ConfigurablePrismaModule {}
