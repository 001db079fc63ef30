import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { databaseHealth } from '../../shared/health/database-health.js';
import { RequireAccess } from '../auth/access.decorator.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  @RequireAccess('public')
  check() {
    return databaseHealth(this.db);
  }
}
