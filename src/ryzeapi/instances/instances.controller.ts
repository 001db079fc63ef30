import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireAccess } from '../auth/access.decorator.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { engineCall } from '../engine/http-errors.js';
import { WhatsAppEngine, type ConnectResult } from '../engine/whatsapp-engine.port.js';
import { CreateInstanceBody, CreateInstanceDto, InlineChatwootDto } from './dto/create-instance.dto.js';
import { InstanceCreatedDto, InstanceDeletedDto, InstanceListDto, InstanceStateDto } from './dto/instance-answers.dto.js';
import { CurrentInstance } from './current-instance.decorator.js';
import { InstanceRoute } from './instance-access.guard.js';
import { InstanceLifecycleService } from './instance-lifecycle.service.js';
import { InstancesService, type InstanceRow } from './instances.service.js';

const CONNECT_MESSAGES: Record<ConnectResult['status'], string> = {
  connected: 'Instance connected',
  qr: 'QR code generated',
  pairing: 'Pairing code generated',
};

const view = (i: InstanceRow) => ({ name: i.name, status: i.status, created_at: i.createdAt });

@ApiTags('instances')
@Controller('api/instance')
export class InstancesController {
  constructor(
    private readonly instances: InstancesService,
    private readonly engine: WhatsAppEngine,
    private readonly lifecycle: InstanceLifecycleService,
  ) {}

  @Post('new')
  @HttpCode(201)
  @RequireAccess('account')
  @ApiBody({ type: CreateInstanceDto })
  @ApiCreatedResponse({ type: InstanceCreatedDto })
  @ApiErrors([409, '`instance name already in use` or `token already in use`'])
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateInstanceBody): Promise<InstanceCreatedDto> {
    // The chatwoot* block is validated once the instance exists: its failures go in `chatwoot`.
    const { instance, token, chatwoot } = await this.lifecycle.create(principal.accountId, {
      name: body.name,
      token: body.token,
      chatwoot: body.chatwootEnabled ? () => InlineChatwootDto.settingsOf(body) : undefined,
    });
    return {
      success: true,
      message: 'Instance created',
      instance: { name: instance.name, token, status: instance.status },
      ...(chatwoot && { chatwoot }),
    };
  }

  @Get('list')
  @RequireAccess('any')
  @ApiOkResponse({ type: InstanceListDto })
  async list(@CurrentPrincipal() principal: Principal): Promise<InstanceListDto> {
    return { success: true, data: (await this.instances.list(principal)).map(view) };
  }

  @Get('connect/:instance')
  @RequireAccess('instance')
  @ApiOkResponse({ type: InstanceStateDto })
  @InstanceRoute()
  @ApiErrors(404)
  async connect(@CurrentInstance() instance: InstanceRow, @Query('number') number?: unknown) {
    if (number !== undefined && (typeof number !== 'string' || !/^\+?\d{8,15}$/.test(number))) {
      throw new BadRequestException('number must be a phone number with its country code (8 to 15 digits)');
    }
    const result = await engineCall(() => this.engine.connect(instance, { number: (number as string | undefined)?.replace(/^\+/, '') }));
    return { success: true, message: CONNECT_MESSAGES[result.status], ...result };
  }

  @Delete('logout/:instance')
  @RequireAccess('instance')
  @ApiOkResponse({ type: InstanceStateDto })
  @InstanceRoute()
  @ApiErrors(404)
  async logout(@CurrentInstance() instance: InstanceRow): Promise<InstanceStateDto> {
    await this.engine.logout(instance);
    return { success: true, message: 'Instance logged out', status: 'disconnected' };
  }

  @Delete('delete/:instance')
  @RequireAccess('account')
  @ApiOkResponse({ type: InstanceDeletedDto })
  @InstanceRoute()
  @ApiErrors(404)
  async delete(@CurrentInstance() instance: InstanceRow): Promise<InstanceDeletedDto> {
    await this.lifecycle.delete(instance);
    return { success: true, message: 'Instance deleted' };
  }
}
