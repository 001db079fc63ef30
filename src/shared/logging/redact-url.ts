import { unescape } from 'node:querystring';

/** Query parameters whose values are secrets: `token`, and anything else naming one. */
const SECRET_PARAMETER = /token|authorization|secret|password/;
/** A key that decodes to a plain name can be logged as sent; any other could hold the secret (`token%3D<secret>`). */
const PLAIN_NAME = /^[a-z_]{1,32}(?:\[\])?$/;

/**
 * The URL with the value of every secret query parameter replaced, judged on the decoded
 * parameter (`%74oken=`, `TOKEN=`, `token[]=`, `next=%2F%3Ftoken%3D...`), since the query parser
 * decodes keys and values before the service reads them.
 */
export function redactUrl(url: string | undefined): string | undefined {
  const at = url?.indexOf('?') ?? -1;
  if (url === undefined || at < 0) return url;
  const pairs = url.slice(at + 1).split('&').map((pair) => {
    if (!SECRET_PARAMETER.test(decode(pair))) return pair;
    const key = pair.split('=')[0];
    return PLAIN_NAME.test(decode(key)) ? `${key}=[Redacted]` : '[Redacted]';
  });
  return `${url.slice(0, at)}?${pairs.join('&')}`;
}

/** Percent-decoded (leniently, and again while it changes: `%2574` is `%74` is `t`), `+` as space, lower-cased. */
function decode(text: string): string {
  let decoded = text.replace(/\+/g, ' ');
  for (let round = 0; round < 4; round++) {
    const next = unescape(decoded);
    if (next === decoded) break;
    decoded = next;
  }
  return decoded.toLowerCase();
}
