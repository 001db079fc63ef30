export const REDACTED = '[REDACTED]';

/** The encodings of a shorter secret could occur in ordinary text by chance: only the secret itself is matched then. */
const MIN_ENCODED_SECRET = 8;
/** Compiled patterns, by secret: the same few secrets (BRIDGE_TOKEN, an instance's Chatwoot token) recur. */
const patterns = new Map<string, RegExp>();
const MAX_PATTERNS = 256;

/**
 * Removes every secret from a text that came from outside (a bridge answer, an error detail):
 * the secret in any letter case and with any of its characters percent-encoded, and its hex,
 * base64 and base64url encodings, also where it sits inside a longer base64 string. Scrub
 * before cutting a text: a secret cut in two is no longer recognised.
 */
export function scrubSecrets(text: string, secrets: readonly (string | null | undefined)[], replacement = REDACTED): string {
  const distinct = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length > 0))];
  // Longest first, so that a secret containing another one is removed whole.
  distinct.sort((a, b) => b.length - a.length);
  return distinct.reduce((out, secret) => out.replace(patternFor(secret), () => replacement), text);
}

function patternFor(secret: string): RegExp {
  let pattern = patterns.get(secret);
  if (!pattern) {
    if (patterns.size >= MAX_PATTERNS) patterns.delete(patterns.keys().next().value!);
    // Case-insensitive throughout: also for hex (either case) and base64, where it may remove a
    // look-alike too, which costs nothing for a scrubber.
    pattern = new RegExp(alternatives(secret).join('|'), 'gi');
    patterns.set(secret, pattern);
  }
  return pattern;
}

function alternatives(secret: string): string[] {
  const itself = Array.from(secret, percentEncodable).join('');
  if (secret.length < MIN_ENCODED_SECRET) return [itself];
  const bytes = Buffer.from(secret, 'utf8');
  const base64 = bytes.toString('base64').replace(/=+$/, '');
  return [
    // The whole secret encoded on its own, with its padding (base64url has none).
    `${base64Pattern(base64)}(?:=|%3D){0,2}`,
    itself,
    bytes.toString('hex'),
    ...embeddedBase64(bytes).map(base64Pattern),
  ];
}

/** One character: itself (any case, by the `i` flag), or its UTF-8 bytes percent-encoded in either case form. */
function percentEncodable(char: string): string {
  const forms = new Set([char, char.toLowerCase(), char.toUpperCase()].map(percentEncoded));
  if (char === ' ') forms.add('\\+');
  return `(?:${escapeRegExp(char)}|${[...forms].join('|')})`;
}

const percentEncoded = (text: string) => [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/**
 * Inside a longer base64 string, the secret's encoding depends on its offset modulo 3: for each
 * offset, the characters that depend on the secret's bytes only (the first and last ones also hold
 * bits of the neighbouring bytes).
 */
function embeddedBase64(bytes: Buffer): string[] {
  return [0, 1, 2].map((offset) =>
    Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64').slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6)),
  );
}

/** Base64 and base64url at once, also percent-encoded as in a URL. */
function base64Pattern(base64: string): string {
  return escapeRegExp(base64).replace(/\\\+/g, '(?:\\+|-|%2B)').replace(/\//g, '(?:/|_|%2F)');
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
