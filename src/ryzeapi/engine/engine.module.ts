import { Module } from '@nestjs/common';
import { InstancesModule } from '../instances/instances.module.js';
import { EngineEvents } from './engine-events.js';
import { SandboxController } from './sandbox/sandbox.controller.js';
import { SandboxEngine } from './sandbox/sandbox.engine.js';
import { WhatsAppEngine } from './whatsapp-engine.port.js';

/** The WhatsApp engine port, bound to the sandbox engine; a real engine replaces the binding. */
@Module({
  imports: [InstancesModule],
  controllers: [SandboxController],
  providers: [EngineEvents, SandboxEngine, { provide: WhatsAppEngine, useExisting: SandboxEngine }],
  exports: [EngineEvents, WhatsAppEngine, SandboxEngine],
})
export class EngineModule {}
