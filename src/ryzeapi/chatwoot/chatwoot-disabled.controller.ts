import { All, Controller, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { RequireAccess } from '../auth/access.decorator.js';
import { MODULE_DISABLED_MESSAGE } from './chatwoot.tokens.js';

/** Without BRIDGE_URL and BRIDGE_TOKEN: every route under /api/chatwoot answers 503 once the token is valid. */
@ApiExcludeController()
@RequireAccess('any')
@Controller('api/chatwoot')
export class ChatwootDisabledController {
  @All('{*path}')
  unavailable(): never {
    throw new ServiceUnavailableException(MODULE_DISABLED_MESSAGE);
  }
}
