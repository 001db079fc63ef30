import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Access, Principal } from './principal.js';

export const ACCESS_KEY = 'ryze:access';

/**
 * `account`: TokenAccount only. `instance`: TokenAccount, or the TokenInstance of the `:instance`
 * in the path. `any`: any valid token. `public`: no token. Routes without it require a TokenAccount.
 */
export const RequireAccess = (access: Access) => SetMetadata(ACCESS_KEY, access);

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest().principal,
);
