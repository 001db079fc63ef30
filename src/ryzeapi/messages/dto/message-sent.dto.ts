import { ApiProperty } from '@nestjs/swagger';
import { ApiSuccess } from '../../common/openapi/api-properties.js';

/** 201 of POST /api/message/text and /media. */
export class MessageSentDto {
  @ApiSuccess() success: true;
  @ApiProperty({ example: 'Message sent' }) message: string;
  @ApiProperty({ example: '3EB0A1B2C3D4E5F60718' }) message_id: string;
}
