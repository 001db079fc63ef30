import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireAccess } from '../auth/access.decorator.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import type { OutgoingMessage } from '../engine/engine.types.js';
import { engineCall } from '../engine/http-errors.js';
import { toJid } from '../../shared/protocol/jid.js';
import { WhatsAppEngine } from '../engine/whatsapp-engine.port.js';
import { InstancesService } from '../instances/instances.service.js';
import { MessageSentDto } from './dto/message-sent.dto.js';
import { SendMediaDto, SendTextDto } from './dto/send-message.dto.js';

@ApiTags('messages')
@RequireAccess('instance')
@ApiErrors(404, [503, '`Instance is not connected to WhatsApp`'])
@Controller('api/message')
export class MessagesController {
  constructor(
    private readonly instances: InstancesService,
    private readonly engine: WhatsAppEngine,
  ) {}

  @Post('text/:instance')
  @HttpCode(201)
  @ApiCreatedResponse({ type: MessageSentDto })
  text(@CurrentPrincipal() principal: Principal, @Param('instance') name: string, @Body() body: SendTextDto) {
    return this.send(principal, name, { to: toJid(body.number)!, text: body.message, replyTo: body.replyTo, source: 'api' });
  }

  @Post('media/:instance')
  @HttpCode(201)
  @ApiCreatedResponse({ type: MessageSentDto })
  media(@CurrentPrincipal() principal: Principal, @Param('instance') name: string, @Body() body: SendMediaDto) {
    return this.send(principal, name, { to: toJid(body.number)!, media: { ...body.media }, replyTo: body.replyTo, source: 'api' });
  }

  /** The body was checked first (400 before 404, as this route always answered); then the instance. */
  private async send(principal: Principal, name: string, message: OutgoingMessage): Promise<MessageSentDto> {
    const instance = await this.instances.resolve(principal, name);
    const { messageId } = await engineCall(() => this.engine.send(instance, message));
    return { success: true, message: 'Message sent', message_id: messageId };
  }
}
