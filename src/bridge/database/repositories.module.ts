import { Module } from '@nestjs/common';
import { IntegrationsRepository } from '../integrations/integrations.repository.js';
import { ChatsRepository } from '../relay/chats.repository.js';
import { MessageLinksRepository } from '../relay/message-links.repository.js';
import { CommandsRepository } from '../replies/commands.repository.js';

const REPOSITORIES = [IntegrationsRepository, ChatsRepository, MessageLinksRepository, CommandsRepository];

/** Every table of the bridge behind its repository; imported by the modules that use them. */
@Module({ providers: REPOSITORIES, exports: REPOSITORIES })
export class RepositoriesModule {}
