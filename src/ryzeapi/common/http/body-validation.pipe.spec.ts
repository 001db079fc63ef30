import { describe, expect, it } from '@jest/globals';
import { BadRequestException } from '@nestjs/common';
import { CreateInstanceBody, InlineChatwootDto } from '../../instances/dto/create-instance.dto.js';
import { BodyValidationPipe } from './body-validation.pipe.js';

const pipe = new BodyValidationPipe();
const asBody = (value: unknown) => pipe.transform(value, { type: 'body', metatype: CreateInstanceBody });

describe('BodyValidationPipe with a block validated later (POST /api/instance/new)', () => {
  it('checks the instance fields and lets the chatwoot* block through as it came', async () => {
    const body = { name: 'suporte', chatwootEnabled: true, chatwootBaseUrl: 'not a url', chatwootAccountId: 'x', chatwootApiToken: 'a\u0000b' };
    await expect(asBody(body)).resolves.toEqual(body);
  });

  it('still refuses unknown properties, a bad name and unstorable text outside the block', async () => {
    await expect(asBody({ name: 'suporte', chatwootColor: 'red' })).rejects.toThrow(new BadRequestException('invalid body: property chatwootColor should not exist'));
    await expect(asBody({ name: 'no spaces' })).rejects.toThrow(new BadRequestException('invalid body: name must be 1 to 64 of A-Z a-z 0-9 _ -'));
    await expect(asBody({ name: 'a\u0000b' })).rejects.toThrow(new BadRequestException('invalid body: name contains a NUL character or an unpaired surrogate'));
  });

  it('validates the block later with the rules of set, under set names', async () => {
    const body = (await asBody({ name: 'suporte', chatwootBaseUrl: 'https://cw.example/', chatwootAccountId: 5, chatwootApiToken: 't', chatwootInboxName: 'In' })) as CreateInstanceBody;
    await expect(InlineChatwootDto.settingsOf(body)).resolves.toEqual({
      chatwootBaseUrl: 'https://cw.example', chatwootAccountId: 5, chatwootApiToken: 't', inboxName: 'In',
      signMessages: undefined, ignoreGroups: undefined, startAsPending: undefined, reopenResolved: undefined,
    });
    const bad = (await asBody({ name: 'suporte', chatwootAccountId: 0, chatwootApiToken: 't' })) as CreateInstanceBody;
    await expect(InlineChatwootDto.settingsOf(bad)).rejects.toThrow(/^invalid body: chatwootBaseUrl is required; chatwootAccountId must be greater than 0$/);
  });
});
