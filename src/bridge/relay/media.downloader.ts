import { Injectable } from '@nestjs/common';
import axios, { AxiosError } from 'axios';
import { BridgeAppConfig } from '../config/bridge-config.js';
import type { Attachment } from '../chatwoot/chatwoot.types.js';
import type { MediaPayload } from '../../shared/protocol/event-data.types.js';

/** The media URL answered 4xx (but 408 and 429, which pass), or the file is too big: retrying will not help. */
export class MediaUnavailableError extends Error {}

const EXTENSIONS: Record<string, string> = { image: 'jpg', video: 'mp4', audio: 'ogg', document: 'bin' };

/** Downloads a WhatsApp event's media file, for the multipart upload to Chatwoot. */
@Injectable()
export class MediaDownloader {
  constructor(private readonly config: BridgeAppConfig) {}

  /** `ryzeApiBaseUrl`: RyzeAPI's own media URLs take the service token (SPEC 15); other hosts never see it. */
  async download(media: MediaPayload, ryzeApiBaseUrl: string): Promise<Attachment> {
    try {
      const { data, headers } = await axios.get<ArrayBuffer>(media.url, {
        responseType: 'arraybuffer',
        timeout: this.config.chatwoot.timeoutMs,
        maxContentLength: this.config.chatwoot.maxMediaBytes,
        maxRedirects: 3,
        ...(sameOrigin(media.url, ryzeApiBaseUrl) && { headers: { authorization: `Bearer ${this.config.token}` } }),
      });
      const mimetype = media.mimetype || String(headers['content-type'] ?? '').split(';')[0] || 'application/octet-stream';
      const fromUrl = decodeURIComponent(new URL(media.url).pathname.split('/').pop() ?? '');
      const fileName = media.file_name || (/\.[A-Za-z0-9]{1,8}$/.test(fromUrl) ? fromUrl : `${media.type}.${EXTENSIONS[media.type] ?? 'bin'}`);
      return { data: Buffer.from(data), fileName, mimetype };
    } catch (error) {
      const status = error instanceof AxiosError ? error.response?.status : undefined;
      const tooBig = error instanceof AxiosError && /maxContentLength/.test(error.message);
      const permanent = status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
      if (permanent || tooBig) {
        throw new MediaUnavailableError(tooBig ? 'the file is larger than CHATWOOT_MAX_MEDIA_BYTES' : `its URL answered HTTP ${status}`);
      }
      throw error;
    }
  }
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
