import { Global, Module } from '@nestjs/common';
import { BridgeMetrics } from './bridge-metrics.service.js';
import { MetricsController } from './metrics.controller.js';

@Global()
@Module({ controllers: [MetricsController], providers: [BridgeMetrics], exports: [BridgeMetrics] })
export class MetricsModule {}
