import { BadRequestException, Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireAccess } from '../../auth/access.decorator.js';
import type { Principal } from '../../auth/principal.js';
import { InstancesService } from '../../instances/instances.service.js';
import { engineCall } from '../http-errors.js';
import { toJid } from '../../../shared/protocol/jid.js';
import { ReceiveMessageDto } from './dto/receive-message.dto.js';
import { SandboxEngine } from './sandbox.engine.js';

@ApiTags('sandbox')
@ApiSecurity('token')
@RequireAccess('instance')
@Controller('api/sandbox')
export class SandboxController {
  constructor(
    private readonly instances: InstancesService,
    private readonly sandbox: SandboxEngine,
  ) {}

  @Post('receive/:instance')
  @HttpCode(201)
  async receive(@CurrentPrincipal() principal: Principal, @Param('instance') name: string, @Body() body: ReceiveMessageDto) {
    if (!body.text && !body.media) throw new BadRequestException('invalid body: text or media is required');
    const instance = await this.instances.resolve(principal, name);
    const { messageId } = await engineCall(() => this.sandbox.receive(instance, { ...body, fromJid: toJid(body.from)! }));
    return { success: true, message_id: messageId };
  }

  @Get('sent/:instance')
  async sent(@CurrentPrincipal() principal: Principal, @Param('instance') name: string) {
    const instance = await this.instances.resolve(principal, name);
    return { success: true, data: await this.sandbox.sent(instance) };
  }
}
