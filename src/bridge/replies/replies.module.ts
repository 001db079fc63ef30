import { Module } from '@nestjs/common';
import { ChannelModule } from '../channel/channel.module.js';
import { ChatwootApiModule } from '../chatwoot/chatwoot-api.module.js';
import { RelayModule } from '../relay/relay.module.js';
import { ChatwootWebhookController } from './chatwoot-webhook.controller.js';
import { CommandDispatcher } from './command.dispatcher.js';
import { ConversationStatusService } from './conversation-status.service.js';
import { ReplyIntake } from './reply-intake.service.js';
import { ReplyNotesService } from './reply-notes.service.js';
import { ReplyPlanner } from './reply.planner.js';
import { RepositoriesModule } from '../database/repositories.module.js';

/** Chatwoot → WhatsApp (SPEC 13.4): the inbox webhook, the durable `send` commands, their results. */
@Module({
  imports: [RepositoriesModule, ChannelModule, ChatwootApiModule, RelayModule],
  controllers: [ChatwootWebhookController],
  providers: [ReplyIntake, ReplyPlanner, CommandDispatcher, ReplyNotesService, ConversationStatusService],
})
export class RepliesModule {}
