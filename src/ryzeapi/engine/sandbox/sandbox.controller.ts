import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireAccess } from '../../auth/access.decorator.js';
import type { Principal } from '../../auth/principal.js';
import { ApiErrors } from '../../common/openapi/api-errors.decorator.js';
import { CurrentInstance } from '../../instances/current-instance.decorator.js';
import { InstanceRoute } from '../../instances/instance-access.guard.js';
import { InstancesService, type InstanceRow } from '../../instances/instances.service.js';
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
    // The body first (400 before 404, as this route always answered), then the instance.
    const instance = await this.instances.resolve(principal, name);
    const { messageId } = await engineCall(() => this.sandbox.receive(instance, { ...body, fromJid: toJid(body.from)! }));
    return { success: true, message_id: messageId };
  }

  @Get('sent/:instance')
  @InstanceRoute()
  @ApiOkResponse({ type: SentMessagesDto })
  async sent(@CurrentInstance() instance: InstanceRow): Promise<SentMessagesDto> {
    return { success: true, data: await this.sandbox.sent(instance) };
  }
}
