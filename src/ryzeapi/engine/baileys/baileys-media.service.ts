import { BadGatewayException, HttpException, Injectable, Logger, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { downloadMediaMessage } from '@whiskeysockets/baileys';
import { Transform, type Readable } from 'node:stream';
import { AppConfig } from '../../config/app-config.js';
import type { InstanceRef } from '../engine.types.js';
import { BaileysEngine } from './baileys.engine.js';
import { baileysLogger } from './baileys-logger.js';
import { mediaOf } from './baileys-message.mapper.js';

export interface MediaDownload {
  stream: Readable;
  mimetype: string;
  fileName?: string;
}

export class MediaTooLargeError extends Error {}

/** Downloads a stored message's media from WhatsApp's servers and decrypts it (through Baileys). */
@Injectable()
export class BaileysMediaService {
  private readonly logger = new Logger(BaileysMediaService.name);

  constructor(
    private readonly engine: BaileysEngine,
    private readonly config: AppConfig,
  ) {}

  get maxBytes(): number {
    return this.config.whatsapp.mediaMaxBytes;
  }

  async open(instance: InstanceRef, messageId: string): Promise<MediaDownload> {
    const message = await this.engine.storedMessage(instance, messageId);
    if (!message) throw new NotFoundException('message not found');
    const media = mediaOf(message);
    if (!media) throw new NotFoundException('message has no media');
    if (media.fileLength !== undefined && media.fileLength > this.maxBytes) throw this.tooLarge();
    const socket = this.engine.socketOf(instance.id);
    let stream: Readable;
    try {
      // A connected session can ask the phone to upload an expired file again.
      stream = await downloadMediaMessage(message, 'stream', {}, socket && {
        reuploadRequest: (m) => socket.updateMediaMessage(m),
        logger: baileysLogger(this.logger),
      });
    } catch (error) {
      throw this.failure(error);
    }
    return { stream: stream.pipe(this.limit()), mimetype: media.mimetype, fileName: media.fileName };
  }

  /** The HTTP answer for a download that failed before anything was sent. */
  failure(error: unknown): HttpException {
    if (error instanceof MediaTooLargeError) return this.tooLarge();
    return new BadGatewayException(`could not download the media from WhatsApp. Detail: ${error instanceof Error ? error.message : 'unknown error'}`);
  }

  private tooLarge(): PayloadTooLargeException {
    return new PayloadTooLargeException(`media is larger than the limit of ${this.maxBytes} bytes`);
  }

  /** Fails the stream past the size limit (WhatsApp's stated length is not trusted). */
  private limit(): Transform {
    let total = 0;
    const max = this.maxBytes;
    return new Transform({
      transform(chunk: Buffer, _encoding, done) {
        total += chunk.length;
        done(total > max ? new MediaTooLargeError(`media is larger than the limit of ${max} bytes`) : null, chunk);
      },
    });
  }
}
