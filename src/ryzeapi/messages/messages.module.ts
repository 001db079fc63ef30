import { Module } from '@nestjs/common';
import { InstancesModule } from '../instances/instances.module.js';
import { MessagesController } from './messages.controller.js';

@Module({ imports: [InstancesModule], controllers: [MessagesController] })
export class MessagesModule {}
