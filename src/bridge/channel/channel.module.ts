import { Module } from '@nestjs/common';
import { RelayModule } from '../relay/relay.module.js';
import { RyzeApiChannel } from './ryzeapi.channel.js';
import { RepositoriesModule } from '../database/repositories.module.js';

@Module({ imports: [RepositoriesModule, RelayModule], providers: [RyzeApiChannel], exports: [RyzeApiChannel] })
export class ChannelModule {}
