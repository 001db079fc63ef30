import { ApiProperty } from '@nestjs/swagger';
import { INSTANCE_NAME_SCHEMA } from '../../instances/instance-name.js';
import type { IntegrationStatus } from '../chatwoot-integration.entity.js';

const STATUSES: IntegrationStatus[] = ['active', 'paused', 'error'];

/** 201 of POST /api/chatwoot/set/:instance. */
export class ChatwootActivatedDto {
  @ApiProperty(INSTANCE_NAME_SCHEMA) instance: string;
  @ApiProperty({ enum: STATUSES }) status: IntegrationStatus;
  @ApiProperty({ example: 'int_8f2c' }) bridge_integration_id: string;
  @ApiProperty({ example: 'chatwoot integration activated' }) message: string;
}

/** 200 of GET /api/chatwoot/list/:instance; never holds the API token. */
export class ChatwootIntegrationDto {
  @ApiProperty(INSTANCE_NAME_SCHEMA) instance_name: string;
  @ApiProperty({ enum: STATUSES }) status: IntegrationStatus;
  @ApiProperty() bridge_integration_id: string;
  @ApiProperty({ format: 'uri' }) chatwoot_base_url: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) chatwoot_account_id: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: '0 until known' }) chatwoot_inbox_id: number;
  @ApiProperty() chatwoot_inbox_name: string;
  @ApiProperty({ description: 'What to fix, from the bridge; empty when all is well' }) last_error: string;
  @ApiProperty({ type: String, format: 'date-time' }) created_at: Date;
  @ApiProperty() sign_messages: boolean;
  @ApiProperty() ignore_groups: boolean;
  @ApiProperty() start_as_pending: boolean;
  @ApiProperty() reopen_resolved: boolean;
  @ApiProperty({ description: 'Whether the bridge holds a socket to this instance now' }) bridge_connected: boolean;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Events not yet acknowledged by the bridge' }) pending_events: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Events dropped by retention before the bridge took them' }) dropped_events: number;
}

/** 200 of DELETE /api/chatwoot/delete/:instance. */
export class ChatwootDeactivatedDto {
  @ApiProperty({ example: 'chatwoot integration deactivated' }) message: string;
}
