import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { ChannelHub } from './channel.hub.js';

/** Pings the bridge sockets every `heartbeat_ms` (the hub's sweep terminates the ones that missed the last ping). */
@Injectable()
export class BridgeHeartbeat implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly hub: ChannelHub,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.hub.sweep(), this.config.channel.heartbeatMs).unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
