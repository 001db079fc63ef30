import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireAccess } from '../../auth/access.decorator.js';
import type { Principal } from '../../auth/principal.js';
import { ApiErrors } from '../../common/openapi/api-errors.decorator.js';
import { InstancesService } from '../../instances/instances.service.js';
import { engineCall } from '../http-errors.js';
import { toJid } from '../../../shared/protocol/jid.js';
import { ReceiveMessageDto } from './dto/receive-message.dto.js';
import { MessageReceivedDto, SentMessagesDto } from './dto/sandbox-answers.dto.js';
import { SandboxEngine } from './sandbox.engine.js';

@ApiTags('sandbox')
@RequireAccess('instance')
@ApiErrors(404)
@Controller('api/sandbox')
export class SandboxController {
  constructor(
    private readonly instances: InstancesService,
    private readonly sandbox: SandboxEngine,
  ) {}

  @Post('receive/:instance')
  @HttpCode(201)
  @ApiCreatedResponse({ type: MessageReceivedDto })
  @ApiErrors([503, '`Instance is not connected to WhatsApp`'])
  async receive(@CurrentPrincipal() principal: Principal, @Param('instance') name: string, @Body() body: ReceiveMessageDto): Promise<MessageReceivedDto> {
    const instance = await this.instances.resolve(principal, name);
    const { messageId } = await engineCall(() => this.sandbox.receive(instance, { ...body, fromJid: toJid(body.from)! }));
    return { success: true, message_id: messageId };
  }

  @Get('sent/:instance')
  @ApiOkResponse({ type: SentMessagesDto })
  async sent(@CurrentPrincipal() principal: Principal, @Param('instance') name: string): Promise<SentMessagesDto> {
    const instance = await this.instances.resolve(principal, name);
    return { success: true, data: await this.sandbox.sent(instance) };
  }
}
