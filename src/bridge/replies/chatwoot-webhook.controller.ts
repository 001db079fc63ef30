import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ReplyIntake, type WebhookAnswer } from './reply-intake.service.js';

const header = (req: Request, name: string) => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/** Chatwoot's inbox webhook (SPEC 13.4). The URL's secret is its authentication: no service token. */
@Controller('v1/chatwoot/webhook')
export class ChatwootWebhookController {
  constructor(private readonly intake: ReplyIntake) {}

  @Post(':integration/:secret')
  @HttpCode(200)
  receive(@Param('integration') integrationId: string, @Param('secret') secret: string, @Req() req: Request & { rawBody?: Buffer }): Promise<WebhookAnswer> {
    return this.intake.receive({
      integrationId,
      secret,
      signature: header(req, 'x-chatwoot-signature'),
      timestamp: header(req, 'x-chatwoot-timestamp'),
      deliveryId: header(req, 'x-chatwoot-delivery')?.slice(0, 64),
      rawBody: req.rawBody ?? Buffer.alloc(0),
      body: req.body,
    });
  }
}
