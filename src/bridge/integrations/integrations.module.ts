import { Module } from '@nestjs/common';
import { ChannelModule } from '../channel/channel.module.js';
import { ChatwootApiModule } from '../chatwoot/chatwoot-api.module.js';
import { IntegrationsController } from './integrations.controller.js';
import { IntegrationsService } from './integrations.service.js';
import { ServiceTokenGuard } from './service-token.guard.js';
import { RepositoriesModule } from '../database/repositories.module.js';

@Module({
  imports: [RepositoriesModule, ChannelModule, ChatwootApiModule],
  controllers: [IntegrationsController],
  providers: [IntegrationsService, ServiceTokenGuard],
  exports: [IntegrationsService, ServiceTokenGuard],
})
export class IntegrationsModule {}
