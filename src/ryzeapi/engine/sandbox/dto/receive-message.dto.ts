import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { RequireOneOf } from '../../../common/http/require-one-of.decorator.js';
import { MediaDto } from '../../../messages/dto/media.dto.js';

export class GroupDto {
  @ApiProperty({ example: '120363000000000000@g.us' })
  @IsString()
  @Matches(/^[\d-]{5,40}@g\.us$/, { message: 'jid must be a group JID ending in @g.us' })
  jid: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) name?: string;
}

/** Body of POST /api/sandbox/receive/:instance: a WhatsApp message arriving. */
@RequireOneOf('text', 'media')
export class ReceiveMessageDto {
  @ApiProperty({ example: '5511999999999' })
  @IsString()
  @Matches(/^\+?\d{5,20}$/, { message: 'from must be a phone number of 5 to 20 digits' })
  from: string;

  @ApiPropertyOptional({ example: 'Maria' }) @IsOptional() @IsString() @MaxLength(255) name?: string;

  @ApiPropertyOptional({ example: 'Oi' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(65536)
  text?: string;

  @ApiPropertyOptional({ type: GroupDto }) @IsOptional() @ValidateNested() @Type(() => GroupDto) group?: GroupDto;
  @ApiPropertyOptional({ type: MediaDto }) @IsOptional() @ValidateNested() @Type(() => MediaDto) media?: MediaDto;
}
