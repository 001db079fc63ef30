import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { agentReplyOf, statusChangeOf } from './webhook-payload.js';
import { signatureProblem } from './webhook-signature.js';

const reply = (over: Record<string, unknown> = {}) => ({
  event: 'message_created',
  id: 42,
  content: 'Olá',
  message_type: 'outgoing',
  private: false,
  source_id: null,
  sender: { id: 3, name: 'Alice Doe', available_name: 'Alice', type: 'user' },
  conversation: { id: 7, inbox_id: 5, meta: { sender: { identifier: '5511999999999@s.whatsapp.net', phone_number: '+5511999999999' } } },
  inbox: { id: 5 },
  account: { id: 1 },
  ...over,
});

describe('agentReplyOf', () => {
  it("reads an agent's reply: ids, content, the agent's available name, attachments, in_reply_to", () => {
    expect(
      agentReplyOf(reply({ content_attributes: { in_reply_to: 40 }, attachments: [{ file_type: 'image', data_url: 'https://cw/x.png' }, { file_type: 'image' }] }), 5, 1),
    ).toEqual({
      messageId: 42,
      conversationId: 7,
      content: 'Olá',
      attachments: [{ fileType: 'image', url: 'https://cw/x.png' }],
      senderName: 'Alice',
      inReplyTo: 40,
      contact: { identifier: '5511999999999@s.whatsapp.net', phoneNumber: '+5511999999999' },
    });
  });

  it.each([
    [{ event: 'message_updated' }, 'event message_updated'],
    [{ message_type: 'incoming' }, 'message_type incoming'],
    [{ message_type: 'template' }, 'message_type template'],
    [{ private: true }, 'private note'],
    [{ inbox: { id: 6 }, conversation: { id: 7, inbox_id: 6 } }, 'another inbox'],
    [{ account: { id: 2 } }, 'another account'],
    [{ source_id: 'WAID:3EB0' }, 'written by the bridge'],
    [{ id: '42' }, 'no message or conversation id'],
    [{ content: '  ', attachments: [] }, 'nothing to send'],
  ])('ignores %j: %s', (over, reason) => {
    expect(agentReplyOf(reply(over), 5, 1)).toEqual({ ignored: reason });
  });

  it('takes message_type as a number too (1, outgoing), and a reply that is only attachments', () => {
    expect(agentReplyOf(reply({ message_type: 1, content: null, attachments: [{ file_type: 'file', data_url: 'http://cw/a.pdf' }] }), 5, 1)).toMatchObject({
      content: '',
      attachments: [{ fileType: 'file', url: 'http://cw/a.pdf' }],
    });
  });
});

describe('signatureProblem', () => {
  const body = Buffer.from('{"event":"message_created"}');
  const sign = (secret: string, ts: string) => `sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`;
  const now = 1_800_000_000;

  it('accepts a valid signature within 5 minutes either way', () => {
    for (const ts of [now, now - 300, now + 300].map(String)) expect(signatureProblem('s3cret', { signature: sign('s3cret', ts), timestamp: ts }, body, now)).toBeNull();
  });

  it('refuses a wrong secret, another body, a stale or future timestamp, a missing header', () => {
    const ts = String(now);
    expect(signatureProblem('s3cret', { signature: sign('other', ts), timestamp: ts }, body, now)).toMatch(/does not match/);
    expect(signatureProblem('s3cret', { signature: sign('s3cret', ts), timestamp: ts }, Buffer.from('{}'), now)).toMatch(/does not match/);
    expect(signatureProblem('s3cret', { signature: sign('s3cret', String(now - 301)), timestamp: String(now - 301) }, body, now)).toMatch(/5 minutes/);
    expect(signatureProblem('s3cret', { signature: sign('s3cret', String(now + 301)), timestamp: String(now + 301) }, body, now)).toMatch(/5 minutes/);
    expect(signatureProblem('s3cret', { timestamp: ts }, body, now)).toMatch(/not signed/);
    expect(signatureProblem('s3cret', { signature: sign('s3cret', ts) }, body, now)).toMatch(/not signed/);
  });
});

describe('statusChangeOf', () => {
  const change = (over: Record<string, unknown> = {}) => ({
    event: 'conversation_status_changed',
    id: 7,
    inbox_id: 5,
    status: 'resolved',
    meta: { sender: { id: 11, identifier: '5511999999999@s.whatsapp.net' } },
    changed_attributes: [{ status: { previous_value: 'open', current_value: 'resolved' } }],
    ...over,
  });

  it("reads Chatwoot's body: conversation, status, contact", () => {
    expect(statusChangeOf(change(), 5)).toEqual({ conversationId: 7, status: 'resolved', contactId: 11 });
    expect(statusChangeOf(change({ status: 'open', meta: null }), 5)).toEqual({ conversationId: 7, status: 'open' });
  });

  it('the conversation status wins over changed_attributes, which stands in when it is missing', () => {
    expect(statusChangeOf(change({ status: 'open' }), 5)).toMatchObject({ status: 'open' });
    expect(statusChangeOf(change({ status: undefined }), 5)).toMatchObject({ status: 'resolved' });
  });

  it('ignores other inboxes and bodies without a conversation or a known status', () => {
    expect(statusChangeOf(change({ inbox_id: 6 }), 5)).toEqual({ ignored: 'another inbox' });
    expect(statusChangeOf(change({ inbox_id: '5' }), 5)).toEqual({ ignored: 'another inbox' });
    expect(statusChangeOf(change({ id: '7' }), 5)).toEqual({ ignored: 'no conversation id' });
    expect(statusChangeOf(change({ status: 'closed', changed_attributes: null }), 5)).toEqual({ ignored: 'no conversation status' });
  });
});
