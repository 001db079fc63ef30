import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { InstanceRequest } from './instance-access.guard.js';
import type { InstanceRow } from './instances.service.js';

/** The instance InstanceAccessGuard resolved for this request (use with InstanceRoute). */
export const CurrentInstance = createParamDecorator((_: unknown, ctx: ExecutionContext): InstanceRow => {
  const { instance } = ctx.switchToHttp().getRequest<InstanceRequest>();
  if (!instance) throw new Error('CurrentInstance needs InstanceRoute (InstanceAccessGuard) on its route');
  return instance;
});
