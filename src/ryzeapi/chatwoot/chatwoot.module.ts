import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config.js';
import { ClusterModule } from '../cluster/cluster.module.js';
import { InstancesModule } from '../instances/instances.module.js';
import { BridgeClient } from './bridge/bridge.client.js';
import { BridgeConnectionFactory } from './channel/bridge-connection.factory.js';
import { HeldEventsBudget } from './channel/held-events.budget.js';
import { BridgeGateway } from './channel/bridge.gateway.js';
import { BridgeHandshake } from './channel/bridge.handshake.js';
import { BridgeHeartbeat } from './channel/bridge.heartbeat.js';
import { ChannelHub } from './channel/channel.hub.js';
import { ChannelCluster } from './channel/cluster/channel-cluster.js';
import { ChannelOwnersRepository } from './channel/cluster/channel-owners.repository.js';
import { ChannelControl } from './channel/channel.control.js';
import { ChannelMetrics } from './channel/channel.metrics.js';
import { CommandExecutor } from './channel/command.executor.js';
import { OutboxAppender } from './channel/outbox.appender.js';
import { OutboxEventsRepository } from './channel/outbox-events.repository.js';
import { ChannelCursorsRepository } from './channel/channel-cursors.repository.js';
import { CommandLedgerRepository } from './channel/command-ledger.repository.js';
import { OutboxRetention } from './channel/outbox.retention.js';
import { SendRecovery } from './channel/send.recovery.js';
import { ChatwootDisabledController } from './chatwoot-disabled.controller.js';
import { ChatwootDisabledService } from './chatwoot-disabled.service.js';
import { ChatwootIntegration } from './chatwoot-integration.entity.js';
import { ChatwootIntegrationsRepository } from './chatwoot-integrations.repository.js';
import { ChatwootController } from './chatwoot.controller.js';
import { ChatwootService } from './chatwoot.service.js';
import { BRIDGE_CONFIG } from './chatwoot.tokens.js';
import { InstanceIntegration } from './instance-integration.port.js';
import { useEncryptionKeys } from '../../shared/crypto/encrypted.transformer.js';

/**
 * Chosen from the configuration. Enabled (BRIDGE_URL and BRIDGE_TOKEN set): controller, service,
 * BridgeClient, encrypted storage and the bridge channel gateway. Disabled: a stub answering 503,
 * and no WebSocket route at all. Either way it exports the InstanceIntegration port.
 * `engine` is the engine module AppModule chose (the channel relays its events and sends).
 */
@Module({})
export class ChatwootModule {
  static forRoot(config: AppConfig, engine: DynamicModule): DynamicModule {
    if (!config.bridge) {
      return {
        module: ChatwootModule,
        controllers: [ChatwootDisabledController],
        providers: [{ provide: InstanceIntegration, useClass: ChatwootDisabledService }],
        exports: [InstanceIntegration],
      };
    }
    useEncryptionKeys(config.encryptionKeys);
    return {
      module: ChatwootModule,
      imports: [TypeOrmModule.forFeature([ChatwootIntegration]), ClusterModule, InstancesModule, engine],
      controllers: [ChatwootController],
      providers: [
        { provide: BRIDGE_CONFIG, useFactory: (loaded: AppConfig) => loaded.bridge, inject: [AppConfig] },
        BridgeClient,
        ChatwootService,
        { provide: InstanceIntegration, useExisting: ChatwootService },
        ChannelControl,
        ChatwootIntegrationsRepository,
        OutboxEventsRepository,
        ChannelCursorsRepository,
        CommandLedgerRepository,
        OutboxAppender,
        OutboxRetention,
        ChannelHub,
        ChannelOwnersRepository,
        ChannelCluster,
        CommandExecutor,
        SendRecovery,
        BridgeHandshake,
        BridgeConnectionFactory,
        HeldEventsBudget,
        BridgeGateway,
        BridgeHeartbeat,
        ChannelMetrics,
      ],
      exports: [InstanceIntegration],
    };
  }
}
