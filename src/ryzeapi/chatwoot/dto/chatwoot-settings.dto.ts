import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, IsUrl, Max, MaxLength, Min } from 'class-validator';

/** Chatwoot ids are PostgreSQL integers. */
export const MAX_INT4 = 2_147_483_647;
const URL_RULE: Parameters<typeof IsUrl>[0] = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };
const trimTrailingSlash = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().replace(/\/+$/, '') : value;

/** The rules of SPEC section 4, shared with the inline block of POST /api/instance/new. */
export const BaseUrlRules = () =>
  applyDecorators(Transform(trimTrailingSlash), MaxLength(2048), IsUrl(URL_RULE, { message: '$property must be an absolute http(s) URL' }));
export const AccountIdRules = () =>
  applyDecorators(
    Min(1, { message: '$property must be greater than 0' }),
    Max(MAX_INT4, { message: `$property must be at most ${MAX_INT4}` }),
    IsInt({ message: '$property must be an integer' }),
  );
export const ApiTokenRules = () => applyDecorators(MaxLength(512), IsNotEmpty(), IsString());
export const InboxNameRules = () => applyDecorators(IsOptional(), MaxLength(255), IsNotEmpty(), IsString());

/** Body of POST /api/chatwoot/set/:instance (SPEC section 4). */
export class ChatwootSettingsDto {
  @ApiProperty({ example: 'https://chatwoot.example.com' }) @BaseUrlRules() chatwootBaseUrl: string;
  @ApiProperty({ example: 5 }) @AccountIdRules() chatwootAccountId: number;
  @ApiProperty({ description: 'Chatwoot API access token; encrypted at rest, never returned', writeOnly: true })
  @ApiTokenRules()
  chatwootApiToken: string;
  @ApiPropertyOptional({ description: 'Default: the instance name' }) @InboxNameRules() inboxName?: string;


  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() signMessages?: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() ignoreGroups?: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() startAsPending?: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() reopenResolved?: boolean;
}
