import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Whether an Authorization header is `Bearer <BRIDGE_TOKEN>` (compared in constant time). */
export function isBridgeBearer(header: string | undefined, bridgeToken: string | undefined): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  return !!match && !!bridgeToken && timingSafeEqual(digest(match[1].trim()), digest(bridgeToken));
}
