import { scrubSecrets } from '../text/secret-scrubber.js';
import { UNSTORABLE } from '../text/unstorable.js';
import { MEDIA_TYPES, type EventDataMap, type EventName, type MediaPayload } from './event-data.types.js';
import { toJid } from './jid.js';

/**
 * The bridge channel `/ws/chatwoot/:instance` (SPEC section 9): one definition of every frame, in
 * both directions, with the parser each side uses for the frames it receives.
 */

/** Close codes of the bridge channel. */
export const CLOSE = { shutdown: 1001, stalled: 1008, tooBig: 1009, replaced: 4409, deleted: 4410 } as const;

// RyzeAPI → bridge

export interface HelloFrame {
  type: 'hello';
  instance: string;
  integration_id: string;
  last_acked_seq: number;
  heartbeat_ms: number;
}

export type EventFrame<E extends EventName = EventName> = {
  [K in E]: { type: 'event'; seq: number; event: K; data: EventDataMap[K]; instanceData: { baseUrl: string; instance: string } };
}[E];

export type ResultFrame =
  | { type: 'result'; id: string; ok: true; message_id: string }
  | { type: 'result'; id: string; ok: false; error: string };

export interface ErrorFrame {
  type: 'error';
  message: string;
}

export type RyzeApiFrame = HelloFrame | EventFrame | ResultFrame | ErrorFrame;

// Bridge → RyzeAPI

export interface AckFrame {
  type: 'ack';
  seq: number;
}

/** `send`: text, or media (with an optional caption); `reply_to` and `sender_name` optional. */
export interface SendFrame {
  type: 'send';
  id: string;
  to: string;
  text?: string;
  media?: MediaPayload;
  reply_to?: string;
  sender_name?: string;
}

export type BridgeFrame = AckFrame | SendFrame;

/** A `send` frame without its type, as a bridge builds it. `id` is unique per reply (e.g. the Chatwoot message id): RyzeAPI executes each id at most once. */
export type SendRequest = Omit<SendFrame, 'type'>;

/** A `send` as RyzeAPI executes it, once parsed and checked (`to` is a JID). */
export interface SendCommand {
  id: string;
  to: string;
  text?: string;
  media?: MediaPayload;
  replyTo?: string;
  senderName?: string;
}

export type InboundFrame =
  | { type: 'ack'; seq: number }
  | { type: 'send'; command: SendCommand }
  | { type: 'invalid'; message: string; commandId?: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** NUL and unpaired surrogates (from JSON escapes like "\u0000", "\ud800") cannot be stored in PostgreSQL text or jsonb. */
const optionalString = (v: unknown, max: number) => v === undefined || (typeof v === 'string' && v.length <= max);
const invalid = (message: string, commandId?: string): InboundFrame => ({ type: 'invalid', message: `invalid frame: ${message}`, commandId });

/** RyzeAPI's parser of one text frame from the bridge; never throws. */
export function parseBridgeFrame(raw: string): InboundFrame {
  let frame: unknown;
  try {
    frame = JSON.parse(raw);
  } catch {
    return invalid('not valid JSON');
  }
  if (!isObject(frame)) return invalid('expected a JSON object');
  if (frame.type === 'ack') {
    return Number.isSafeInteger(frame.seq) && (frame.seq as number) >= 0
      ? { type: 'ack', seq: frame.seq as number }
      : invalid('ack.seq must be a non-negative integer');
  }
  if (frame.type === 'send') return parseSend(frame);
  return invalid(typeof frame.type === 'string' ? `unknown type "${frame.type.slice(0, 40)}"` : 'type is required');
}

function parseSend(frame: Record<string, unknown>): InboundFrame {
  const { id, to, text, media, reply_to, sender_name } = frame;
  if (typeof id !== 'string' || id.length === 0 || id.length > 128 || UNSTORABLE.test(id)) return invalid('send.id must be a string of 1 to 128 characters');
  const fail = (message: string) => invalid(message, id);
  const strings = { to, text, reply_to, sender_name, ...(isObject(media) && { 'media.url': media.url, 'media.mimetype': media.mimetype, 'media.file_name': media.file_name, 'media.caption': media.caption }) };
  for (const [key, value] of Object.entries(strings)) {
    if (typeof value === 'string' && UNSTORABLE.test(value)) return fail(`send.${key} contains a NUL character or an unpaired surrogate`);
  }
  const jid = typeof to === 'string' ? toJid(to) : undefined;
  if (!jid) return fail('send.to must be a phone number or a WhatsApp JID');
  if (text === undefined && media === undefined) return fail('send needs text or media');
  if (text !== undefined && (typeof text !== 'string' || text.length === 0 || text.length > 65536)) return fail('send.text must be a string of 1 to 65536 characters');
  if (!optionalString(reply_to, 128)) return fail('send.reply_to must be a string');
  if (!optionalString(sender_name, 255)) return fail('send.sender_name must be a string');
  let parsedMedia: MediaPayload | undefined;
  if (media !== undefined) {
    if (!isObject(media)) return fail('send.media must be an object');
    if (!MEDIA_TYPES.includes(media.type as MediaPayload['type'])) return fail(`send.media.type must be one of ${MEDIA_TYPES.join(', ')}`);
    if (typeof media.url !== 'string' || !/^https?:\/\/\S+$/i.test(media.url) || media.url.length > 2048) return fail('send.media.url must be an absolute http(s) URL');
    // The same limits as the REST API's MediaDto.
    for (const [key, max] of [['mimetype', 255], ['file_name', 255], ['caption', 4096]] as const) {
      if (!optionalString(media[key], max)) return fail(`send.media.${key} must be a string of at most ${max} characters`);
    }
    parsedMedia = {
      type: media.type as MediaPayload['type'],
      url: media.url,
      ...(media.mimetype !== undefined && { mimetype: media.mimetype as string }),
      ...(media.file_name !== undefined && { file_name: media.file_name as string }),
      ...(media.caption !== undefined && { caption: media.caption as string }),
    };
  }
  return {
    type: 'send',
    command: {
      id,
      to: jid,
      ...(text !== undefined && { text: text as string }),
      ...(parsedMedia && { media: parsedMedia }),
      ...(reply_to !== undefined && { replyTo: reply_to as string }),
      ...(sender_name !== undefined && { senderName: sender_name as string }),
    },
  };
}

/** The bridge's parser of one text frame from RyzeAPI: null when it is not a frame of section 9. */
export function parseRyzeApiFrame(raw: string): RyzeApiFrame | null {
  let frame: unknown;
  try {
    frame = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isObject(frame)) return null;
  switch (frame.type) {
    case 'hello':
      return Number.isSafeInteger(frame.last_acked_seq) && typeof frame.integration_id === 'string' ? (frame as unknown as HelloFrame) : null;
    case 'event':
      return Number.isSafeInteger(frame.seq) && typeof frame.event === 'string' && isObject(frame.data) ? (frame as unknown as EventFrame) : null;
    case 'result':
      return typeof frame.id === 'string' && typeof frame.ok === 'boolean' ? (frame as unknown as ResultFrame) : null;
    case 'error':
      return typeof frame.message === 'string' ? (frame as unknown as ErrorFrame) : null;
    default:
      return null;
  }
}

/**
 * The command with the secrets removed from every text it would store and send on. Its id and
 * recipient stay as sent: they are validated, and the id is the bridge's key for the result.
 */
export function scrubCommand(command: SendCommand, secrets: (string | undefined)[]): SendCommand {
  const { id, to, media, ...texts } = command;
  const scrubbed = <T extends object>(value: T): T =>
    Object.fromEntries(Object.entries(value).map(([key, v]) => [key, typeof v === 'string' ? scrubSecrets(v, secrets) : v])) as T;
  return { id, to, ...scrubbed(texts), ...(media && { media: { ...scrubbed(media), type: media.type } }) };
}
