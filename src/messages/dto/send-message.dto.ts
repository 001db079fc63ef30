import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { MediaDto } from './media.dto.js';

const NUMBER = /^(\+?\d{5,20}|\d{5,20}@s\.whatsapp\.net|[\d-]{5,40}@g\.us)$/;
const NUMBER_MESSAGE = 'number must be a phone number (5 to 20 digits) or a WhatsApp JID';

export class SendTextDto {
  @ApiProperty({ example: '5511999999999' }) @IsString() @Matches(NUMBER, { message: NUMBER_MESSAGE }) number: string;
  @ApiProperty({ example: 'Olá' }) @IsString() @IsNotEmpty() @MaxLength(65536) message: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) replyTo?: string;
}

export class SendMediaDto {
  @ApiProperty({ example: '5511999999999' }) @IsString() @Matches(NUMBER, { message: NUMBER_MESSAGE }) number: string;
  @ApiProperty({ type: MediaDto }) @IsDefined() @ValidateNested() @Type(() => MediaDto) media: MediaDto;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) replyTo?: string;
}
