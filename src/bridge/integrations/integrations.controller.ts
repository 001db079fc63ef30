import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { ActivateResponse, IntegrationStatusResponse } from '../../shared/protocol/integrations.api.js';
import { parseActivateRequest } from './activate-request.parser.js';
import { IntegrationsService } from './integrations.service.js';
import { ServiceTokenGuard } from './service-token.guard.js';

/** The HTTP API RyzeAPI calls (SPEC section 8). */
@Controller('v1/integrations')
@UseGuards(ServiceTokenGuard)
export class IntegrationsController {
  constructor(private readonly integrations: IntegrationsService) {}

  @Post('activate')
  async activate(@Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<ActivateResponse> {
    const { created, body: answer } = await this.integrations.activate(parseActivateRequest(body));
    res.status(created ? 201 : 200);
    return answer;
  }

  @Get(':id')
  status(@Param('id') id: string): Promise<IntegrationStatusResponse> {
    return this.integrations.status(id);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string): Promise<void> {
    await this.integrations.remove(id);
  }
}
