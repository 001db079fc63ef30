import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequireAccess } from '../auth/access.decorator.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { CurrentInstance } from '../instances/current-instance.decorator.js';
import { InstanceRoute } from '../instances/instance-access.guard.js';
import type { InstanceRow } from '../instances/instances.service.js';
import { toIntegrationDto } from './chatwoot-integration.mapper.js';
import { ChatwootService } from './chatwoot.service.js';
import { ChatwootActivatedDto, ChatwootDeactivatedDto, ChatwootIntegrationDto } from './dto/chatwoot-answers.dto.js';
import { ChatwootSettingsDto } from './dto/chatwoot-settings.dto.js';

const MODULE_OFF = [503, 'The module is off: `integration gateway not configured (set BRIDGE_URL and BRIDGE_TOKEN)`'] as [number, string];

@ApiTags('chatwoot')
@RequireAccess('instance')
@InstanceRoute()
@Controller('api/chatwoot')
export class ChatwootController {
  constructor(private readonly chatwoot: ChatwootService) {}

  @Post('set/:instance')
  @HttpCode(201)
  @ApiBody({ type: ChatwootSettingsDto })
  @ApiCreatedResponse({ type: ChatwootActivatedDto })
  @ApiErrors(
    404,
    [400, '`invalid body: ...`, or Chatwoot did not find the account (404) or refused the request (422); the message says which'],
    [401, '`Missing token`, `Invalid token`, or Chatwoot rejected chatwootApiToken'],
    [403, '`Instance token does not match this instance`, or Chatwoot denied the request'],
    502, MODULE_OFF, 504,
  )
  async set(@CurrentInstance() instance: InstanceRow, @Body() settings: ChatwootSettingsDto): Promise<ChatwootActivatedDto> {
    const integration = await this.chatwoot.set(instance, settings);
    return {
      instance: instance.name,
      status: integration.status,
      bridge_integration_id: integration.bridgeIntegrationId,
      message: 'chatwoot integration activated',
    };
  }

  @Get('list/:instance')
  @ApiOkResponse({ type: ChatwootIntegrationDto })
  @ApiErrors([404, '`instance not found` or `no chatwoot integration for this instance`'], MODULE_OFF)
  async list(@CurrentInstance() instance: InstanceRow): Promise<ChatwootIntegrationDto> {
    return toIntegrationDto(await this.chatwoot.describe(instance));
  }

  @Delete('delete/:instance')
  @ApiOkResponse({ type: ChatwootDeactivatedDto })
  @ApiErrors([404, '`instance not found` or `no chatwoot integration to delete`'], MODULE_OFF)
  async delete(@CurrentInstance() instance: InstanceRow): Promise<ChatwootDeactivatedDto> {
    await this.chatwoot.deactivate(instance);
    return { message: 'chatwoot integration deactivated' };
  }
}
