import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from '../shared/logging/logger.module.js';
import type { DestinationStream } from 'pino';
import { useEncryptionKeys } from '../shared/crypto/encrypted.transformer.js';
import { loggerOptions } from '../shared/logging/logger.options.js';
import { BridgeExceptionFilter } from './common/bridge-exception.filter.js';
import { BridgeAppConfig } from './config/bridge-config.js';
import { typedConfigModule } from '../shared/config/typed-config.module.js';
import { bridgeDataSourceOptions } from './database/data-source.options.js';
import { RepositoriesModule } from './database/repositories.module.js';
import { HealthController } from './health/health.controller.js';
import { DatabaseHealthIndicator } from '../shared/health/database-health.indicator.js';
import { IntegrationsModule } from './integrations/integrations.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { RepliesModule } from './replies/replies.module.js';

export interface BridgeAppModuleOptions {
  /** Where log lines go (tests capture them); stdout by default. */
  logStream?: DestinationStream;
}

/** RyzeIntegrations, the bridge between RyzeAPI and Chatwoot (SPEC section 13). */
@Module({})
export class BridgeAppModule {
  static forRoot(config: BridgeAppConfig, options: BridgeAppModuleOptions = {}): DynamicModule {
    useEncryptionKeys(config.encryptionKeys);
    return {
      module: BridgeAppModule,
      imports: [
        typedConfigModule(BridgeAppConfig, 'bridge', config),
        LoggerModule.forRoot(loggerOptions(config.logLevel, options.logStream)),
        TypeOrmModule.forRootAsync({ useFactory: (loaded: BridgeAppConfig) => bridgeDataSourceOptions(loaded), inject: [BridgeAppConfig] }),
        MetricsModule,
        RepositoriesModule,
        IntegrationsModule,
        RepliesModule,
      ],
      controllers: [HealthController],
      providers: [DatabaseHealthIndicator, { provide: APP_FILTER, useClass: BridgeExceptionFilter }],
    };
  }
}
