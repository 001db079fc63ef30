import { Controller, Get, Logger, Param, Res } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RequireAccess } from '../../auth/access.decorator.js';
import { CurrentInstance } from '../../instances/current-instance.decorator.js';
import { InstanceRoute } from '../../instances/instance-access.guard.js';
import type { InstanceRow } from '../../instances/instances.service.js';
import { BaileysMediaService } from './baileys-media.service.js';

/** SPEC 15: an event's `media.url`. TokenAccount, the instance's TokenInstance, or `Bearer <BRIDGE_TOKEN>`. */
@ApiTags('media')
@ApiSecurity('token')
@Controller('api/media')
export class BaileysMediaController {
  private readonly logger = new Logger(BaileysMediaController.name);

  constructor(private readonly media: BaileysMediaService) {}

  @Get(':instance/:messageId')
  @RequireAccess('instance-or-bridge')
  @InstanceRoute()
  async download(@CurrentInstance() instance: InstanceRow, @Param('messageId') messageId: string, @Res() res: Response): Promise<void> {
    const { stream, mimetype, fileName } = await this.media.open(instance, messageId);
    // The first chunk before the headers: a download failing at once still gets an error answer.
    const chunks = stream[Symbol.asyncIterator]();
    const first = await chunks.next().catch((error) => Promise.reject(this.media.failure(error)));
    if (fileName) res.attachment(fileName); // before type(): attachment() sets a type from the extension
    res.status(200).type(mimetype);
    try {
      await pipeline(Readable.from(rest(first, chunks)), res);
    } catch (error) {
      // Headers are out: the client sees a cut-off response.
      this.logger.warn({ instance: instance.name, err: error }, 'media download stopped');
      res.destroy();
    }
  }
}

async function* rest(first: IteratorResult<Buffer>, chunks: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  for (let next = first; !next.done; next = await chunks.next()) yield next.value;
}
