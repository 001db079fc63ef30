import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DestinationStream } from 'pino';
import { AccountsModule } from './accounts/accounts.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ClusterModule } from './cluster/cluster.module.js';
import { RateLimitModule } from './common/rate-limit/rate-limit.module.js';
import { ChatwootModule } from './chatwoot/chatwoot.module.js';
import { ApiExceptionFilter } from './common/http/api-exception.filter.js';
import { BodyValidationPipe } from './common/http/body-validation.pipe.js';
import { LoggerModule } from '../shared/logging/logger.module.js';
import { loggerOptions } from '../shared/logging/logger.options.js';
import { AppConfig } from './config/app-config.js';
import { typedConfigModule } from '../shared/config/typed-config.module.js';
import { dataSourceOptions } from './database/data-source.options.js';
import type { BaileysSocketFactory } from './engine/baileys/baileys-socket.factory.js';
import { EngineModule } from './engine/engine.module.js';
import { HealthController } from './health/health.controller.js';
import { DatabaseHealthIndicator } from '../shared/health/database-health.indicator.js';
import { AppLifecycle } from './lifecycle/app-lifecycle.js';
import { InstancesApiModule } from './instances/instances-api.module.js';
import { MessagesModule } from './messages/messages.module.js';
import { MetricsModule } from './metrics/metrics.module.js';

export interface AppModuleOptions {
  /** Where log lines go (tests capture them); stdout by default. */
  logStream?: DestinationStream;
  /** Replaces the Baileys socket factory (tests drive a fake socket). */
  baileysSocketFactory?: BaileysSocketFactory;
}

@Module({})
export class AppModule {
  static async forRoot(config: AppConfig, options: AppModuleOptions = {}): Promise<DynamicModule> {
    // Chosen from the configuration, built once, and imported by each module that uses them.
    const engine = await EngineModule.forRoot(config, options.baileysSocketFactory);
    const chatwoot = ChatwootModule.forRoot(config, engine);
    return {
      module: AppModule,
      imports: [
        typedConfigModule(AppConfig, 'app', config),
        MetricsModule,
        LoggerModule.forRoot(loggerOptions(config.logLevel, options.logStream, config.nodeId)),
        TypeOrmModule.forRootAsync({ useFactory: (loaded: AppConfig) => dataSourceOptions(loaded), inject: [AppConfig] }),
        ClusterModule,
        RateLimitModule,
        AuthModule,
        AccountsModule,
        engine,
        InstancesApiModule.register(engine, chatwoot),
        MessagesModule.register(engine),
        chatwoot,
        TerminusModule.forRoot({ logger: false }), // a failed check is explained in its 503 body
      ],
      controllers: [HealthController],
      providers: [
        AppLifecycle,
        DatabaseHealthIndicator,
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useClass: BodyValidationPipe },
      ],
    };
  }
}
