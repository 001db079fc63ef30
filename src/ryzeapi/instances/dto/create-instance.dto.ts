import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches, ValidateIf } from 'class-validator';
import { INSTANCE_NAME, INSTANCE_NAME_SCHEMA } from '../instance-name.js';
import {
  AccountIdRules, ApiTokenRules, BaseUrlRules, InboxNameRules, type ChatwootSettingsDto,
} from '../../chatwoot/dto/chatwoot-settings.dto.js';

const requiredIfEnabled = (o: CreateInstanceDto, value: unknown) => o.chatwootEnabled === true || value !== undefined;

/** Body of POST /api/instance/new (SPEC section 7); the chatwoot* block follows section 4's rules. */
export class CreateInstanceDto {
  @ApiProperty({ example: 'suporte', ...INSTANCE_NAME_SCHEMA })
  @IsString()
  @Matches(INSTANCE_NAME, { message: 'name must be 1 to 64 of A-Z a-z 0-9 _ -' })
  name: string;

  @ApiPropertyOptional({ description: 'Custom TokenInstance (16 to 256 of A-Z a-z 0-9 _ - .); generated when absent' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{16,256}$/, { message: 'token must be 16 to 256 of A-Z a-z 0-9 _ - .' })
  token?: string;

  @ApiPropertyOptional({ default: false, description: 'When true, chatwootBaseUrl, chatwootAccountId and chatwootApiToken are required' })
  @IsOptional()
  @IsBoolean()
  chatwootEnabled?: boolean;

  // Required when chatwootEnabled is true; checked whenever present.
  @ApiPropertyOptional() @ValidateIf(requiredIfEnabled) @BaseUrlRules() chatwootBaseUrl?: string;
  @ApiPropertyOptional() @ValidateIf(requiredIfEnabled) @AccountIdRules() chatwootAccountId?: number;
  @ApiPropertyOptional({ writeOnly: true }) @ValidateIf(requiredIfEnabled) @ApiTokenRules() chatwootApiToken?: string;
  @ApiPropertyOptional() @InboxNameRules() chatwootInboxName?: string;

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
