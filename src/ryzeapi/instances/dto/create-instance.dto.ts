import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches } from 'class-validator';
import { validateBody } from '../../common/http/body-validation.pipe.js';
import { ValidatedLater } from '../../common/http/validated-later.decorator.js';
import { INSTANCE_NAME, INSTANCE_NAME_SCHEMA } from '../instance-name.js';
import {
  AccountIdRules, ApiTokenRules, BaseUrlRules, InboxNameRules, type ChatwootSettingsDto,
} from '../../chatwoot/dto/chatwoot-settings.dto.js';

/** Body of POST /api/instance/new without its chatwoot* block (SPEC section 7). */
export class InstanceFieldsDto {
  @ApiProperty({ example: 'suporte', ...INSTANCE_NAME_SCHEMA })
  @IsString()
  @Matches(INSTANCE_NAME, { message: 'name must be 1 to 64 of A-Z a-z 0-9 _ -' })
  name: string;

  @ApiPropertyOptional({ description: 'Custom TokenInstance (16 to 256 of A-Z a-z 0-9 _ - .); generated when absent' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{16,256}$/, { message: 'token must be 16 to 256 of A-Z a-z 0-9 _ - .' })
  token?: string;

  @ApiPropertyOptional({
    default: false,
    description: 'When true, the chatwoot* fields are checked and activated once the instance exists; a failure is reported in `chatwoot`',
  })
  @IsOptional()
  @IsBoolean()
  chatwootEnabled?: boolean;
}

/**
 * The inline chatwoot* block, with section 4's rules. Validated only when chatwootEnabled is true,
 * and after the instance exists: a failure is reported in the answer's `chatwoot` block.
 */
export class InlineChatwootDto {
  @ApiProperty() @BaseUrlRules() chatwootBaseUrl: string;
  @ApiProperty() @AccountIdRules() chatwootAccountId: number;
  @ApiProperty({ writeOnly: true }) @ApiTokenRules() chatwootApiToken: string;
  @ApiPropertyOptional() @InboxNameRules() chatwootInboxName?: string;

  @ApiPropertyOptional() @IsOptional() @IsBoolean() chatwootSignMessages?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() chatwootIgnoreGroups?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() chatwootStartAsPending?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() chatwootReopenResolved?: boolean;

  static readonly FIELDS = [
    'chatwootBaseUrl', 'chatwootAccountId', 'chatwootApiToken', 'chatwootInboxName',
    'chatwootSignMessages', 'chatwootIgnoreGroups', 'chatwootStartAsPending', 'chatwootReopenResolved',
  ] as const;

  /** The block of `body`, validated (400 text on failure) and given set's names. */
  static async settingsOf(body: CreateInstanceBody): Promise<ChatwootSettingsDto> {
    const present = InlineChatwootDto.FIELDS.filter((field) => field in body);
    const block = await validateBody(InlineChatwootDto, Object.fromEntries(present.map((field) => [field, body[field]])));
    return {
      chatwootBaseUrl: block.chatwootBaseUrl,
      chatwootAccountId: block.chatwootAccountId,
      chatwootApiToken: block.chatwootApiToken,
      inboxName: block.chatwootInboxName,
      signMessages: block.chatwootSignMessages,
      ignoreGroups: block.chatwootIgnoreGroups,
      startAsPending: block.chatwootStartAsPending,
      reopenResolved: block.chatwootReopenResolved,
    };
  }
}

type InlineField = (typeof InlineChatwootDto.FIELDS)[number];

/**
 * The body the global pipe validates for POST /api/instance/new: InstanceFieldsDto's rules, and
 * the chatwoot* block let through raw (typed unknown), for InlineChatwootDto.settingsOf once the
 * instance exists and only when chatwootEnabled is true.
 */
export class CreateInstanceBody extends InstanceFieldsDto {}
export interface CreateInstanceBody extends Partial<Record<InlineField, unknown>> {}
for (const field of InlineChatwootDto.FIELDS) ValidatedLater()(CreateInstanceBody.prototype, field);

/**
 * The whole body of POST /api/instance/new, as the OpenAPI document shows it (a mapped type would
 * lose the rules' schema constraints). Never validated as a whole: see CreateInstanceBody.
 */
export class CreateInstanceDto extends InstanceFieldsDto {
  @ApiPropertyOptional({ description: 'Required when chatwootEnabled is true' }) @BaseUrlRules() chatwootBaseUrl?: string;
  @ApiPropertyOptional({ description: 'Required when chatwootEnabled is true' }) @AccountIdRules() chatwootAccountId?: number;
  @ApiPropertyOptional({ description: 'Required when chatwootEnabled is true', writeOnly: true }) @ApiTokenRules() chatwootApiToken?: string;
  @ApiPropertyOptional() @InboxNameRules() chatwootInboxName?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() chatwootSignMessages?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() chatwootIgnoreGroups?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() chatwootStartAsPending?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() chatwootReopenResolved?: boolean;
}
