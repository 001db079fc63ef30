import { parseBridgeFrame, type InboundFrame } from '../../../shared/protocol/channel.frames.js';

/** What the gateway's `send` handler gets: the command, and the size of its frame (counted as unsent data until answered). */
export type SendMessage = Extract<InboundFrame, { type: 'send' }> & { bytes: number };
export type InvalidMessage = Extract<InboundFrame, { type: 'invalid' }>;

/**
 * The ws adapter's message parser: one text frame from the bridge becomes the `@SubscribeMessage`
 * event of its `type` (`ack`, `send`), and anything unusable becomes `invalid` (answered with an
 * `error` frame, or a failed `result` when it names a command). Never throws.
 */
export function parseBridgeMessage(data: string | Buffer | ArrayBuffer | Buffer[]): { event: string; data: unknown } {
  if (typeof data !== 'string') {
    const invalid: InvalidMessage = { type: 'invalid', message: 'invalid frame: binary frames are not accepted; send JSON text' };
    return { event: invalid.type, data: invalid };
  }
  const frame = parseBridgeFrame(data);
  return { event: frame.type, data: frame.type === 'send' ? { ...frame, bytes: data.length } : frame };
}
