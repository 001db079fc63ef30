import { DynamicModule, Module } from '@nestjs/common';
import { InstancesModule } from '../instances/instances.module.js';
import { MessagesController } from './messages.controller.js';

/** The /api/message routes; `engine` is the engine module AppModule chose from the configuration. */
@Module({})
export class MessagesModule {
  static register(engine: DynamicModule): DynamicModule {
    return { module: MessagesModule, imports: [InstancesModule, engine], controllers: [MessagesController] };
  }
}
