import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';

/** Every error leaves the service as {"success": false, "error": {"message": "..."}}. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const res = host.switchToHttp().getResponse<Response>();
    const { status, message } = this.describe(exception, host.switchToHttp().getRequest<Request>());
    if (status >= 500 && !(exception instanceof HttpException)) {
      this.logger.error({ err: exception }, 'unexpected error');
    }
    if (res.headersSent) return;
    res.status(status).json({ success: false, error: { message } });
  }

  private describe(exception: unknown, req: Request): { status: number; message: string } {
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : exception.message;
      return { status: exception.getStatus(), message: withoutQuery(message, req.originalUrl ?? req.url) };
    }
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'internal server error' };
  }
}

/** Nest's unknown-route message (`Cannot GET /nope?token=...`) echoes the URL: only its path comes back. */
function withoutQuery(message: string, url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? message : message.split(url).join(url.slice(0, at));
}
