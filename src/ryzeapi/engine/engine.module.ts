import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { InstancesModule } from '../instances/instances.module.js';
import type { BaileysSocketFactory } from './baileys/baileys-socket.factory.js';
import { EngineEvents } from './engine-events.js';
import { SandboxController } from './sandbox/sandbox.controller.js';
import { SandboxMessagesRepository } from './sandbox/sandbox-messages.repository.js';
import { SandboxEngine } from './sandbox/sandbox.engine.js';
import { WhatsAppEngine } from './whatsapp-engine.port.js';

const sandboxParts = {
  imports: [InstancesModule],
  controllers: [SandboxController],
  providers: [SandboxEngine, SandboxMessagesRepository, { provide: WhatsAppEngine, useExisting: SandboxEngine }],
  exports: [WhatsAppEngine, SandboxEngine],
};

/**
 * The WhatsApp engine port, bound to the engine WHATSAPP_ENGINE names (the sandbox by default, the
 * only one with the /api/sandbox routes), and EngineEvents. AppModule builds it once and hands that
 * module to the modules that import it, so they share the one binding and the one event source.
 * The Baileys library (a large module graph) is loaded only when it is the engine chosen.
 */
@Module({})
export class EngineModule {
  static async forRoot(config: AppConfig, socketFactory?: BaileysSocketFactory): Promise<DynamicModule> {
    const parts =
      config.whatsapp.engine === 'baileys'
        ? (await import('./baileys/baileys.providers.js')).baileysEngineParts(config, socketFactory)
        : sandboxParts;
    return {
      module: EngineModule,
      imports: parts.imports,
      controllers: parts.controllers,
      providers: [EngineEvents, ...parts.providers],
      exports: [EngineEvents, ...parts.exports],
    };
  }
}
