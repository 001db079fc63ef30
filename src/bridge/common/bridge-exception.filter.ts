import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { BridgeErrorBody } from '../../shared/protocol/integrations.api.js';
import { BridgeHttpError } from './bridge-http.error.js';

/** Every error leaves the bridge as {"error": {"message", ...}} (SPEC section 8). */
@Catch()
export class BridgeExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    if (exception instanceof BridgeHttpError) {
      res.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const message = exception.getStatus() === 404 ? 'not found' : typeof body === 'string' ? body : exception.message;
      res.status(exception.getStatus()).json({ error: { message } } satisfies BridgeErrorBody);
      return;
    }
    this.logger.error({ err: exception }, 'unexpected error');
    res.status(500).json({ error: { message: 'internal error' } } satisfies BridgeErrorBody);
  }
}
