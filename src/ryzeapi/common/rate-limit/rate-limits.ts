import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';

export type RateLimitKind = 'general' | 'instanceNew' | 'invalidTokens';

export interface RateLimitTake {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix milliseconds. */
  resetAt: number;
}

const WINDOW_S = 60;
/** Created by a migration (rate-limiter-flexible's own schema), never by the library. */
export const RATE_LIMITS_TABLE = 'rate_limits';

/**
 * Fixed one-minute windows per key. On PostgreSQL the counters live in the database, so every node
 * counts a token's requests together (rate-limiter-flexible's PostgreSQL store: one upsert per
 * request); the embedded database serves one node only, so it counts in memory.
 */
@Injectable()
export class RateLimits {
  private readonly limiters: Record<RateLimitKind, RateLimiterAbstract>;

  constructor(config: AppConfig, @InjectDataSource() db: DataSource) {
    const { perMinute, instanceNewPerMinute, invalidTokensPerMinute } = config.rateLimit;
    const make = (keyPrefix: string, points: number): RateLimiterAbstract => {
      const memory = new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_S });
      if (!config.databaseUrl) return memory;
      // While the database fails, this node counts on its own (the library's insurance limiter).
      return new RateLimiterPostgres({
        storeClient: db, storeType: 'typeorm', tableName: RATE_LIMITS_TABLE, tableCreated: true, keyPrefix, points, duration: WINDOW_S, insuranceLimiter: memory,
      });
    };
    this.limiters = {
      general: make('general', perMinute),
      instanceNew: make('instance_new', instanceNewPerMinute),
      invalidTokens: make('invalid_tokens', invalidTokensPerMinute),
    };
  }

  /** Counts one request against `key`. */
  async take(kind: RateLimitKind, key: string): Promise<RateLimitTake> {
    const limiter = this.limiters[kind];
    let res: RateLimiterRes;
    let allowed = true;
    try {
      res = await limiter.consume(key);
    } catch (refused) {
      if (!(refused instanceof RateLimiterRes)) throw refused;
      res = refused;
      allowed = false;
    }
    return { allowed, limit: limiter.points, remaining: res.remainingPoints, resetAt: Date.now() + res.msBeforeNext };
  }

  /** True when `key` has used its whole window (without counting this look). */
  async exhausted(kind: RateLimitKind, key: string): Promise<boolean> {
    const limiter = this.limiters[kind];
    const res = await limiter.get(key);
    return !!res && res.consumedPoints >= limiter.points;
  }
}
