import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsNotEmpty, IsOptional, IsString, MaxLength, ValidateBy, ValidateNested } from 'class-validator';
import { toJid, WHATSAPP_ADDRESS } from '../../../shared/protocol/jid.js';
import { MediaDto } from './media.dto.js';

/** Accepts exactly what the engine can address (see toJid): a phone number or a WhatsApp JID. */
const IsWhatsAppNumber = () =>
  ValidateBy({
    name: 'isWhatsAppNumber',
    constraints: [WHATSAPP_ADDRESS],
    validator: {
      validate: (value: unknown) => typeof value === 'string' && toJid(value) !== undefined,
      defaultMessage: () => 'number must be a phone number (5 to 20 digits) or a WhatsApp JID',
    },
  });

export class SendTextDto {
  @ApiProperty({ example: '5511999999999' }) @IsString() @IsWhatsAppNumber() number: string;
  @ApiProperty({ example: 'Olá' }) @IsString() @IsNotEmpty() @MaxLength(65536) message: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) replyTo?: string;
}

export class SendMediaDto {
  @ApiProperty({ example: '5511999999999' }) @IsString() @IsWhatsAppNumber() number: string;
  @ApiProperty({ type: MediaDto }) @IsDefined() @ValidateNested() @Type(() => MediaDto) media: MediaDto;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) replyTo?: string;
}
