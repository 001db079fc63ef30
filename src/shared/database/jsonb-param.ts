import { types } from '@electric-sql/pglite';

/**
 * JSON text as a binary `jsonb` parameter: the wire format is a version byte (1) and the UTF-8 text.
 * pg and PGlite send a Buffer parameter as is, where a string parameter of half a megabyte (a batch
 * of events) is measured character by character in JavaScript by PGlite's protocol writer (about
 * 3.5 µs per event of the relay).
 */
export function jsonbParam(json: string): Buffer {
  const param = Buffer.allocUnsafe(Buffer.byteLength(json) + 1);
  param[0] = 1;
  param.write(json, 1);
  return param;
}

const jsonb = types.serializers[types.JSONB];

/**
 * PGlite serializes parameters by their type, `jsonb` with JSON.stringify: a jsonbParam passes as it
 * is. (Its types say a serializer returns a string; its protocol writer sends a Uint8Array as binary.)
 */
export const pgliteSerializers = {
  [types.JSONB]: (value: unknown): string => (value instanceof Uint8Array ? (value as unknown as string) : jsonb(value)),
};
