import type { IncomingMessage } from 'node:http';
import type { MediaFile } from './types.js';

/** Request bodies as Rails reads them: JSON, or a multipart form with `attachments[]` files. */

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface ParsedBody {
  mediaType: string;
  /** What the route handler gets. */
  body: unknown;
  /** What the document check gets (multipart: the fields, files left out). */
  checkBody: unknown;
  files: MediaFile[];
  problems: string[];
}

/** JSON, or a multipart form (its `attachments[]` files kept apart), as Rails parses them. */
export async function parseBody(contentType: string | undefined, raw: Buffer): Promise<ParsedBody> {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const empty: ParsedBody = { mediaType, body: undefined, checkBody: undefined, files: [], problems: [] };
  if (!raw.length) return empty;
  if (mediaType === 'application/json') {
    try {
      const body = JSON.parse(raw.toString('utf8'));
      return { ...empty, body, checkBody: body };
    } catch {
      return { ...empty, checkBody: raw.toString('utf8'), problems: ['the body is not valid JSON'] };
    }
  }
  if (mediaType === 'multipart/form-data') {
    try {
      const form = await new Response(raw, { headers: { 'content-type': contentType! } }).formData();
      const fields: Record<string, unknown> = {};
      const files: MediaFile[] = [];
      for (const [name, value] of form.entries()) {
        if (typeof value === 'string') setFormField(fields, name, value);
        else if (name === 'attachments[]') files.push({ name: value.name, contentType: value.type || 'application/octet-stream', bytes: Buffer.from(await value.arrayBuffer()) });
      }
      return { ...empty, body: fields, checkBody: structuredClone(fields), files };
    } catch (error) {
      return { ...empty, problems: [`the multipart body cannot be read (${(error as Error).message})`] };
    }
  }
  return { ...empty, body: raw.toString('utf8'), checkBody: raw.toString('utf8') };
}

/** Rails' bracket names: `a[b]` nests, `a[]` appends. */
function setFormField(fields: Record<string, unknown>, name: string, value: string): void {
  const nested = /^([^[]+)\[([^\]]*)\]$/.exec(name);
  if (!nested) return void (fields[name] = value);
  const [, key, sub] = nested;
  if (sub === '') {
    const list = Array.isArray(fields[key]) ? (fields[key] as unknown[]) : [];
    fields[key] = [...list, value];
  } else {
    const object = fields[key] && typeof fields[key] === 'object' ? (fields[key] as Record<string, unknown>) : {};
    fields[key] = { ...object, [sub]: value };
  }
}
