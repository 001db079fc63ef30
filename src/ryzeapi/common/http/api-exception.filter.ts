import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { redactUrl } from '../../../shared/logging/logger.options.js';

/** Every error leaves the service as {"success": false, "error": {"message": "..."}}. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const res = host.switchToHttp().getResponse<Response>();
    const { status, message } = this.describe(exception);
    if (status >= 500 && !(exception instanceof HttpException)) {
      this.logger.error({ err: exception }, 'unexpected error');
    }
    if (res.headersSent) return;
    res.status(status).json({ success: false, error: { message } });
  }

  private describe(exception: unknown): { status: number; message: string } {
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : exception.message;
      // Nest's unknown-route message echoes the URL: a `?token=` in it must not come back.
      return { status: exception.getStatus(), message: redactUrl(message)! };
    }
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'internal server error' };
  }
}
