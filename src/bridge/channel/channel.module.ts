import { Module } from '@nestjs/common';
import { RelayModule } from '../relay/relay.module.js';
import { RyzeApiChannel } from './ryzeapi.channel.js';

@Module({ imports: [RelayModule], providers: [RyzeApiChannel], exports: [RyzeApiChannel] })
export class ChannelModule {}
