import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireAccess } from '../auth/access.decorator.js';
import type { Principal } from '../auth/principal.js';
import { BodyValidationPipe } from '../common/http/body-validation.pipe.js';
import { InstancesService } from '../instances/instances.service.js';
import { ChatwootService } from './chatwoot.service.js';
import { ChatwootSettingsDto } from './dto/chatwoot-settings.dto.js';

const validateBody = new BodyValidationPipe();

@ApiTags('chatwoot')
@ApiSecurity('token')
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
  async set(@CurrentPrincipal() principal: Principal, @Param('instance') name: string, @Body() raw: unknown) {
    // The contract checks the instance before the body, so the body is validated here, not by the global pipe.
    const instance = await this.instances.resolve(principal, name);
    const settings = (await validateBody.transform(raw, { type: 'body', metatype: ChatwootSettingsDto })) as ChatwootSettingsDto;
    const integration = await this.chatwoot.activate(instance, settings);
    return {
      instance: instance.name,
      status: integration.status,
      bridge_integration_id: integration.bridgeIntegrationId,
      message: 'chatwoot integration activated',
    };
  }

  @Get('list/:instance')
  async list(@CurrentPrincipal() principal: Principal, @Param('instance') name: string) {
    return this.chatwoot.describe(await this.instances.resolve(principal, name));
  }

  @Delete('delete/:instance')
  async delete(@CurrentPrincipal() principal: Principal, @Param('instance') name: string) {
    await this.chatwoot.deactivate(await this.instances.resolve(principal, name));
    return { message: 'chatwoot integration deactivated' };
  }
}
