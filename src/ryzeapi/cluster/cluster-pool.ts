import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { AppConfig } from '../config/app-config.js';

/** Connections held while a cluster-wide lock is: apart from the main pool, which the locked work itself uses. */
const LOCK_CONNECTIONS = 4;

/**
 * The PostgreSQL connections of the cluster machinery, apart from TypeORM's pool: lock holders
 * (a lock held during a bridge call must not take a connection the work under it needs) and the
 * listening connection. `clustered` is false on the embedded database, which serves one node only:
 * every mechanism then falls back to what one process needs.
 */
@Injectable()
export class ClusterPool implements OnApplicationShutdown {
  readonly clustered: boolean;
  readonly nodeId: string;
  private readonly logger = new Logger(ClusterPool.name);
  private lockPool?: pg.Pool;

  constructor(private readonly config: AppConfig) {
    this.clustered = !!config.databaseUrl;
    this.nodeId = config.nodeId;
  }

  /** What this node's sessions show in pg_stat_activity (a node is alive while its listener is there). */
  get applicationName(): string {
    return `ryzeapi:${this.nodeId}`;
  }

  get locks(): pg.Pool {
    if (!this.lockPool) {
      this.lockPool = new pg.Pool({ connectionString: this.config.databaseUrl, max: LOCK_CONNECTIONS, application_name: `${this.applicationName}:locks` });
      // An idle connection the server ends (a restart, pg_terminate_backend) is an 'error' of the pool: unheard, it would end the process.
      this.lockPool.on('error', (error) => this.logger.warn({ reason: error.message }, 'an idle lock connection was closed by the server'));
    }
    return this.lockPool;
  }

  /** A connection of its own (the listener). */
  client(): pg.Client {
    return new pg.Client({ connectionString: this.config.databaseUrl, application_name: this.applicationName });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.lockPool?.end();
  }
}
