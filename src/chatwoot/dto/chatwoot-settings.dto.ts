import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, IsUrl, Max, MaxLength, Min } from 'class-validator';

/** Chatwoot ids are PostgreSQL integers. */
export const MAX_INT4 = 2_147_483_647;
export const URL_RULE: Parameters<typeof IsUrl>[0] = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };
export const trimTrailingSlash = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().replace(/\/+$/, '') : value;

/** Body of POST /api/chatwoot/set/:instance (SPEC section 4). */
export class ChatwootSettingsDto {
  @ApiProperty({ example: 'https://chatwoot.example.com' })
  @Transform(trimTrailingSlash)
  @MaxLength(2048)
  @IsUrl(URL_RULE, { message: 'chatwootBaseUrl must be an absolute http(s) URL' })
  chatwootBaseUrl: string;

  @ApiProperty({ example: 5 })
  @Min(1, { message: 'chatwootAccountId must be greater than 0' })
  @Max(MAX_INT4, { message: `chatwootAccountId must be at most ${MAX_INT4}` })
  @IsInt({ message: 'chatwootAccountId must be an integer' })
  chatwootAccountId: number;

  @ApiProperty({ description: 'Chatwoot API access token; encrypted at rest, never returned', writeOnly: true })
  @MaxLength(512)
  @IsNotEmpty()
  @IsString()
  chatwootApiToken: string;

  @ApiPropertyOptional({ description: 'Default: the instance name' })
  @IsOptional()
  @MaxLength(255)
  @IsNotEmpty()
  @IsString()
  inboxName?: string;

  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() signMessages?: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() ignoreGroups?: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() startAsPending?: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() reopenResolved?: boolean;
}
