import { Module } from '@nestjs/common';
import { InstancesController } from './instances.controller.js';
import { InstancesModule } from './instances.module.js';

/** The /api/instance routes; the engine and ChatwootService come from the (global) EngineModule and ChatwootModule. */
@Module({ imports: [InstancesModule], controllers: [InstancesController] })
export class InstancesApiModule {}
