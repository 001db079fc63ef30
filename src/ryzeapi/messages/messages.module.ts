import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module.js';
import { InstancesModule } from '../instances/instances.module.js';
import { MessagesController } from './messages.controller.js';

@Module({ imports: [InstancesModule, EngineModule], controllers: [MessagesController] })
export class MessagesModule {}
