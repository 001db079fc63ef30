import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiSuccess } from '../../common/openapi/api-properties.js';
import { INSTANCE_NAME_SCHEMA } from '../instance-name.js';
import type { InstanceStatus } from '../instance.entity.js';

const STATUSES: InstanceStatus[] = ['connected', 'disconnected'];

export class InstanceViewDto {
  @ApiProperty(INSTANCE_NAME_SCHEMA) name: string;
  @ApiProperty({ enum: STATUSES }) status: InstanceStatus;
  @ApiProperty({ type: String, format: 'date-time' }) created_at: Date;
}

class CreatedInstanceDto {
  @ApiProperty(INSTANCE_NAME_SCHEMA) name: string;
  @ApiProperty({ description: 'The TokenInstance, shown this once' }) token: string;
  @ApiProperty({ enum: STATUSES }) status: InstanceStatus;
}

/** `chatwoot` of POST /api/instance/new: what `set` would have answered. */
class InlineActivationDto {
  @ApiProperty({ enum: ['active', 'error'] }) status: 'active' | 'error';
  @ApiPropertyOptional({ description: 'When active' }) bridge_integration_id?: string;
  @ApiPropertyOptional({ description: 'When error: the message `set` would have returned' }) error?: string;
}

export class InstanceCreatedDto {
  @ApiSuccess() success: true;
  @ApiProperty({ example: 'Instance created' }) message: string;
  @ApiProperty({ type: CreatedInstanceDto }) instance: CreatedInstanceDto;
  @ApiPropertyOptional({ type: InlineActivationDto, description: 'Only when chatwootEnabled is true' }) chatwoot?: InlineActivationDto;
}

export class InstanceListDto {
  @ApiSuccess() success: true;
  @ApiProperty({ type: [InstanceViewDto] }) data: InstanceViewDto[];
}

/** GET connect and DELETE logout. */
export class InstanceStateDto {
  @ApiSuccess() success: true;
  @ApiProperty({ example: 'Instance connected' }) message: string;
  @ApiProperty({ enum: STATUSES }) status: InstanceStatus;
}

export class InstanceDeletedDto {
  @ApiSuccess() success: true;
  @ApiProperty({ example: 'Instance deleted' }) message: string;
}
