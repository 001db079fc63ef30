import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from '../../shared/health/database-health.indicator.js';
import { RequireAccess } from '../auth/access.decorator.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { AppConfig } from '../config/app-config.js';
import { AppLifecycle } from '../lifecycle/app-lifecycle.js';
import { HealthDto } from './health.dto.js';

const DATABASE_TIMEOUT_MS = 2000;

/** Terminus' answer: the overall status and each indicator's. */
const HEALTH_CHECK_SCHEMA = {
  type: 'object',
  required: ['status', 'info', 'error', 'details'],
  properties: {
    status: { type: 'string', enum: ['ok'] },
    info: { type: 'object', additionalProperties: { type: 'object' } },
    error: { type: 'object', additionalProperties: { type: 'object' } },
    details: { type: 'object', additionalProperties: { type: 'object' } },
  },
};

@ApiTags('health')
@RequireAccess('public')
@Controller('health')
export class HealthController {
  constructor(
    private readonly databaseHealth: DatabaseHealthIndicator,
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly lifecycle: AppLifecycle,
    private readonly config: AppConfig,
  ) {}

  /** 200 when the database answers, 503 otherwise (the original combined check). */
  @Get()
  @RequireAccess('public')
  @ApiOkResponse({ type: HealthDto })
  @ApiErrors([503, '`database unavailable`'])
  async check(): Promise<HealthDto> {
    return { ...(await this.databaseHealth.check()), node: this.config.nodeId };
  }

  /** Liveness: the process answers HTTP. Nothing it depends on is checked (a restart would not fix them). */
  @Get('live')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOkResponse({ description: 'The process answers', schema: HEALTH_CHECK_SCHEMA })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** Readiness: started, not shutting down, and the database answers. */
  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOkResponse({ description: 'Started, not shutting down, the database answering', schema: HEALTH_CHECK_SCHEMA })
  @ApiErrors([503, '`not ready: <reasons>`, e.g. `not ready: lifecycle stopping`, `not ready: database down`'])
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => {
          const state = this.lifecycle.state;
          return state === 'ready' ? this.indicators.check('lifecycle').up({ state }) : this.indicators.check('lifecycle').down({ state });
        },
        () => this.database.pingCheck('database', { timeout: DATABASE_TIMEOUT_MS }),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const failed = (error.getResponse() as HealthCheckResult).error ?? {};
      const reasons = Object.entries(failed).map(([key, value]) => `${key} ${key === 'lifecycle' ? value?.state : 'down'}`);
      throw new ServiceUnavailableException(`not ready: ${reasons.join(', ')}`);
    }
  }
}
