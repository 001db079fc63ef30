import { DynamicModule, Global, Module } from '@nestjs/common';
import { BridgeAppConfig } from './bridge-config.js';

/** Provides the BridgeAppConfig parsed once at start (see loadBridgeConfig) to every module. */
@Global()
@Module({})
export class BridgeConfigModule {
  static forRoot(config: BridgeAppConfig): DynamicModule {
    return { module: BridgeConfigModule, providers: [{ provide: BridgeAppConfig, useValue: config }], exports: [BridgeAppConfig] };
  }
}
