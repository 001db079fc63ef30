import { ApiProperty } from '@nestjs/swagger';
import { ApiNullableRef, ApiSuccess } from '../../../common/openapi/api-properties.js';
import { MediaDto } from '../../../messages/dto/media.dto.js';
import type { MediaPayload } from '../../../../shared/protocol/event-data.types.js';
import type { SentMessage } from '../sandbox.engine.js';

export class MessageReceivedDto {
  @ApiSuccess() success: true;
  @ApiProperty({ example: '3EB0A1B2C3D4E5F60718' }) message_id: string;
}

export class SentMessageDto implements SentMessage {
  @ApiProperty() message_id: string;
  @ApiProperty({ example: '5511999999999@s.whatsapp.net' }) to: string;
  @ApiProperty({ type: String, nullable: true }) text: string | null;
  @ApiNullableRef(MediaDto) media: MediaPayload | null;
  @ApiProperty({ enum: ['api', 'chatwoot'] }) source: string;
  @ApiProperty({ type: String, nullable: true, description: 'The bridge `send` id, for source chatwoot' }) command_id: string | null;
  @ApiProperty({ type: 'integer', description: 'Unix seconds' }) timestamp: number;
}

export class SentMessagesDto {
  @ApiSuccess() success: true;
  @ApiProperty({ type: [SentMessageDto], description: 'Oldest first' }) data: SentMessageDto[];
}
