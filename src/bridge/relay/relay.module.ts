import { Module } from '@nestjs/common';
import { ChatwootApiModule } from '../chatwoot/chatwoot-api.module.js';
import { ConversationResolver } from './conversation.resolver.js';
import { MediaDownloader } from './media.downloader.js';
import { MessageWriter } from './message.writer.js';
import { RelayService } from './relay.service.js';
import { RepositoriesModule } from '../database/repositories.module.js';

/** WhatsApp → Chatwoot. Exports the resolver and writer for part 2 (notes, replies in the right conversation). */
@Module({
  imports: [RepositoriesModule, ChatwootApiModule],
  providers: [ConversationResolver, MediaDownloader, MessageWriter, RelayService],
  exports: [RelayService, ConversationResolver],
})
export class RelayModule {}
