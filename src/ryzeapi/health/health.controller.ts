import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { databaseHealth } from '../../shared/health/database-health.js';
import { RequireAccess } from '../auth/access.decorator.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { HealthDto } from './health.dto.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  @RequireAccess('public')
  @ApiOkResponse({ type: HealthDto })
  @ApiErrors([503, '`database unavailable`'])
  check(): Promise<HealthDto> {
    return databaseHealth(this.db);
  }
}
