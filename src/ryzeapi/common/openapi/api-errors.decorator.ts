import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ApiErrorDto } from './api-error.dto.js';

/** What each error status means, unless the route says more. */
export const ERROR_MEANING: Record<number, string> = {
  400: 'Invalid body (`invalid body: <what is wrong>`), or a path parameter that is not valid %-encoding',
  401: '`Missing token` or `Invalid token`',
  403: '`Instance token does not match this instance`',
  404: '`instance not found`',
  409: 'A name or token already in use',
  413: 'Body over 1 MB',
  429: '`Rate limit exceeded. Try again later.`',
  502: 'The integration gateway (the bridge) or Chatwoot failed; the message says which',
  503: 'Service unavailable; the message says why',
  504: '`integration gateway timed out`',
};

/** Documents error answers in the standard envelope: `@ApiErrors(404, [503, 'why'])`. */
export const ApiErrors = (...errors: (number | [number, string])[]) =>
  applyDecorators(
    ...errors.map((error) => {
      const [status, description] = typeof error === 'number' ? [error, ERROR_MEANING[error] ?? ''] : error;
      return ApiResponse({ status, description, type: ApiErrorDto });
    }),
  );
