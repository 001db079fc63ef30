import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireAccess } from '../auth/access.decorator.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { BodyValidationPipe } from '../common/http/body-validation.pipe.js';
import { InstancesService } from '../instances/instances.service.js';
import { toIntegrationDto } from './chatwoot-integration.mapper.js';
import { ChatwootService } from './chatwoot.service.js';
import { ChatwootActivatedDto, ChatwootDeactivatedDto, ChatwootIntegrationDto } from './dto/chatwoot-answers.dto.js';
import { ChatwootSettingsDto } from './dto/chatwoot-settings.dto.js';

const MODULE_OFF = [503, 'The module is off: `integration gateway not configured (set BRIDGE_URL and BRIDGE_TOKEN)`'] as [number, string];

const validateBody = new BodyValidationPipe();

@ApiTags('chatwoot')
@RequireAccess('instance')
@Controller('api/chatwoot')
export class ChatwootController {
  constructor(
    private readonly instances: InstancesService,
    private readonly chatwoot: ChatwootService,
  ) {}

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
  async set(@CurrentPrincipal() principal: Principal, @Param('instance') name: string, @Body() raw: unknown): Promise<ChatwootActivatedDto> {
    // The contract checks the instance before the body, so the body is validated here, not by the global pipe.
    const instance = await this.instances.resolve(principal, name);
    const settings = (await validateBody.transform(raw, { type: 'body', metatype: ChatwootSettingsDto })) as ChatwootSettingsDto;
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
  async list(@CurrentPrincipal() principal: Principal, @Param('instance') name: string): Promise<ChatwootIntegrationDto> {
    return toIntegrationDto(await this.chatwoot.describe(await this.instances.resolve(principal, name)));
  }

  @Delete('delete/:instance')
  @ApiOkResponse({ type: ChatwootDeactivatedDto })
  @ApiErrors([404, '`instance not found` or `no chatwoot integration to delete`'], MODULE_OFF)
  async delete(@CurrentPrincipal() principal: Principal, @Param('instance') name: string): Promise<ChatwootDeactivatedDto> {
    await this.chatwoot.deactivate(await this.instances.resolve(principal, name));
    return { message: 'chatwoot integration deactivated' };
  }
}
