import type { ModuleMetadata } from '@nestjs/common';
import { TokenCipher } from '../../../shared/crypto/token-cipher.js';
import type { AppConfig } from '../../config/app-config.js';
import { InstancesModule } from '../../instances/instances.module.js';
import { WhatsAppEngine } from '../whatsapp-engine.port.js';
import { AuthStateRepository } from './auth-state.repository.js';
import { BaileysInbound } from './baileys-inbound.js';
import { BaileysMediaController } from './baileys-media.controller.js';
import { BaileysMediaService } from './baileys-media.service.js';
import { BaileysSocketFactory, LibraryBaileysSocketFactory } from './baileys-socket.factory.js';
import { BaileysEngine } from './baileys.engine.js';
import { WhatsAppMessagesRepository } from './whatsapp-messages.repository.js';

/** What EngineModule adds with WHATSAPP_ENGINE=baileys; `socketFactory` replaces the library's (tests). */
export function baileysEngineParts(config: AppConfig, socketFactory?: BaileysSocketFactory): Required<Pick<ModuleMetadata, 'imports' | 'controllers' | 'providers' | 'exports'>> {
  return {
    imports: [InstancesModule],
    controllers: [BaileysMediaController],
    providers: [
      { provide: TokenCipher, useFactory: () => new TokenCipher(config.encryptionKeys) },
      socketFactory ? { provide: BaileysSocketFactory, useValue: socketFactory } : { provide: BaileysSocketFactory, useClass: LibraryBaileysSocketFactory },
      AuthStateRepository,
      WhatsAppMessagesRepository,
      BaileysInbound,
      BaileysMediaService,
      BaileysEngine,
      { provide: WhatsAppEngine, useExisting: BaileysEngine },
    ],
    exports: [WhatsAppEngine, BaileysEngine],
  };
}
