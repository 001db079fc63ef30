import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, ValidateIf,
} from 'class-validator';
import { INSTANCE_NAME } from '../instance-name.js';
import { MAX_INT4, URL_RULE, trimTrailingSlash, type ChatwootSettingsDto } from '../../chatwoot/dto/chatwoot-settings.dto.js';

const chatwootOn = (o: CreateInstanceDto) => o.chatwootEnabled === true;
const present = (_: CreateInstanceDto, value: unknown) => value !== undefined;

/** Body of POST /api/instance/new (SPEC section 7); the chatwoot* block follows section 4's rules. */
export class CreateInstanceDto {
  @ApiProperty({ example: 'suporte', pattern: INSTANCE_NAME.source })
  @IsString()
  @Matches(INSTANCE_NAME, { message: 'name must be 1 to 64 of A-Z a-z 0-9 _ -' })
  name: string;

  @ApiPropertyOptional({ description: 'Custom TokenInstance (16 to 256 of A-Z a-z 0-9 _ - .); generated when absent' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{16,256}$/, { message: 'token must be 16 to 256 of A-Z a-z 0-9 _ - .' })
  token?: string;

  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() chatwootEnabled?: boolean;

  @ApiPropertyOptional()
  @ValidateIf((o, v) => chatwootOn(o) || present(o, v))
  @Transform(trimTrailingSlash)
  @MaxLength(2048)
  @IsUrl(URL_RULE, { message: 'chatwootBaseUrl must be an absolute http(s) URL' })
  chatwootBaseUrl?: string;

  @ApiPropertyOptional()
  @ValidateIf((o, v) => chatwootOn(o) || present(o, v))
  @Min(1, { message: 'chatwootAccountId must be greater than 0' })
  @Max(MAX_INT4, { message: `chatwootAccountId must be at most ${MAX_INT4}` })
  @IsInt({ message: 'chatwootAccountId must be an integer' })
  chatwootAccountId?: number;

  @ApiPropertyOptional({ writeOnly: true })
  @ValidateIf((o, v) => chatwootOn(o) || present(o, v))
  @MaxLength(512)
  @IsNotEmpty()
  @IsString()
  chatwootApiToken?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @MaxLength(255)
  @IsNotEmpty()
  @IsString()
  chatwootInboxName?: string;

  @ApiPropertyOptional() @IsOptional() @IsBoolean() chatwootSignMessages?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() chatwootIgnoreGroups?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() chatwootStartAsPending?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() chatwootReopenResolved?: boolean;

  chatwootSettings(): ChatwootSettingsDto {
    return {
      chatwootBaseUrl: this.chatwootBaseUrl!,
      chatwootAccountId: this.chatwootAccountId!,
      chatwootApiToken: this.chatwootApiToken!,
      inboxName: this.chatwootInboxName,
      signMessages: this.chatwootSignMessages,
      ignoreGroups: this.chatwootIgnoreGroups,
      startAsPending: this.chatwootStartAsPending,
      reopenResolved: this.chatwootReopenResolved,
    };
  }
}
