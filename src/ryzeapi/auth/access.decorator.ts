import { SetMetadata, applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import type { Access, Principal } from './principal.js';

export const ACCESS_KEY = 'ryze:access';

/** What TokenAuthGuard can answer for each access (a TokenInstance on an account-only route: 401). */
const AUTH_ERRORS: Record<Access, number[]> = { public: [], any: [401], account: [401], instance: [401, 403], 'instance-or-bridge': [401, 403] };

/**
 * `account`: TokenAccount only. `instance`: TokenAccount, or the TokenInstance of the `:instance`
 * in the path. `any`: any valid token. `public`: no token. Routes without it require a TokenAccount.
 * Also documents the route's security and authentication errors.
 */
export const RequireAccess = (access: Access) =>
  applyDecorators(
    SetMetadata(ACCESS_KEY, access),
    ...(access === 'public' ? [] : [ApiSecurity('token'), ApiErrors(...AUTH_ERRORS[access])]),
  );

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest().principal,
);
