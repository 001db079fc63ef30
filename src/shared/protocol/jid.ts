/** `5511999999999` → `5511999999999@s.whatsapp.net`; a full JID (`…@g.us`, `…@s.whatsapp.net`) is kept. */
export function toJid(to: string): string | undefined {
  const value = to.trim();
  if (/^\d{5,20}@(s\.whatsapp\.net|g\.us)$/.test(value) || /^\d{5,20}-\d{5,20}@g\.us$/.test(value)) return value;
  const digits = value.replace(/^\+/, '');
  return /^\d{5,20}$/.test(digits) ? `${digits}@s.whatsapp.net` : undefined;
}

export const isGroupJid = (jid: string) => jid.endsWith('@g.us');

/** What toJid accepts, as one pattern (for the OpenAPI document). */
export const WHATSAPP_ADDRESS = /^\s*(?:\+?\d{5,20}|\d{5,20}@(?:s\.whatsapp\.net|g\.us)|\d{5,20}-\d{5,20}@g\.us)\s*$/;
