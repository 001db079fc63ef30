import { describe, expect, it } from '@jest/globals';
import { AxiosError, AxiosHeaders } from 'axios';
import { toChatwootError } from './chatwoot.client.js';

const TOKEN = 'cw-Admin-Token-1234567890';

const answer = (status: number, data: unknown) =>
  new AxiosError('failed', 'ERR_BAD_RESPONSE', undefined, undefined, {
    status, statusText: '', data, headers: {}, config: { headers: new AxiosHeaders() },
  });

describe('toChatwootError', () => {
  it('keeps Chatwoot status and text, without the token in any case or encoding', () => {
    const encoded = Buffer.from(TOKEN).toString('base64');
    const error = toChatwootError(answer(401, { error: `bad ${TOKEN} / ${TOKEN.toUpperCase()} / ${encoded} / ${encodeURIComponent(TOKEN)}` }), TOKEN);
    expect(error.status).toBe(401);
    expect(error.detail).toMatch(/^bad /);
    for (const form of [TOKEN, TOKEN.toUpperCase(), encoded]) expect(error.detail).not.toContain(form);
  });

  it('scrubs before the cut at 500 characters, so no part of the token survives it', () => {
    const error = toChatwootError(answer(422, { message: `${'x'.repeat(490)}${TOKEN}` }), TOKEN);
    expect(error.detail).not.toContain(TOKEN.slice(0, 10));
  });
});
