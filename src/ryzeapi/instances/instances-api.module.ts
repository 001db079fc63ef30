import { DynamicModule, Module } from '@nestjs/common';
import { InstanceLifecycleService } from './instance-lifecycle.service.js';
import { InstancesController } from './instances.controller.js';
import { InstancesModule } from './instances.module.js';

/** The /api/instance routes. `engine` and `chatwoot` are the modules AppModule chose from the configuration. */
@Module({})
export class InstancesApiModule {
  static register(engine: DynamicModule, chatwoot: DynamicModule): DynamicModule {
    return {
      module: InstancesApiModule,
      imports: [InstancesModule, engine, chatwoot],
      controllers: [InstancesController],
      providers: [InstanceLifecycleService],
    };
  }
}
