import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUrl, MaxLength } from 'class-validator';
import { MEDIA_TYPES, type MediaType } from '../../../shared/protocol/event-data.types.js';

export class MediaDto {
  @ApiProperty({ enum: MEDIA_TYPES })
  @IsIn(MEDIA_TYPES, { message: `type must be one of ${MEDIA_TYPES.join(', ')}` })
  type: MediaType;

  @ApiProperty({ example: 'https://example.com/a.png' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'url must be an absolute http(s) URL' })
  @MaxLength(2048)
  url: string;

  @ApiPropertyOptional({ example: 'image/png' }) @IsOptional() @IsString() @MaxLength(255) mimetype?: string;
  @ApiPropertyOptional({ example: 'a.png' }) @IsOptional() @IsString() @MaxLength(255) file_name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4096) caption?: string;
}
