import { Module } from '@nestjs/common';
import { ChatwootClient } from './chatwoot.client.js';

@Module({ providers: [ChatwootClient], exports: [ChatwootClient] })
export class ChatwootApiModule {}
