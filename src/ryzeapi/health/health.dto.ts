import { ApiProperty } from '@nestjs/swagger';

class DatabaseHealthDto {
  @ApiProperty({ enum: ['up'] }) status: 'up';
  @ApiProperty({ minimum: 0 }) latency_ms: number;
}

/** 200 of GET /health. */
export class HealthDto {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
  @ApiProperty({ type: DatabaseHealthDto }) database: DatabaseHealthDto;
  @ApiProperty({ type: 'integer', minimum: 0 }) uptime_s: number;
  @ApiProperty({ description: 'This node (NODE_ID, or generated at start)' }) node: string;
}
