import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module.js';
import { InstancesController } from './instances.controller.js';
import { InstancesModule } from './instances.module.js';

/** The /api/instance routes; ChatwootService comes from the (global) ChatwootModule. */
@Module({ imports: [InstancesModule, EngineModule], controllers: [InstancesController] })
export class InstancesApiModule {}
