import { CanActivate, ExecutionContext, Injectable, applyDecorators, UseGuards } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Principal } from '../auth/principal.js';
import { INSTANCE_NAME_SCHEMA } from './instance-name.js';
import { InstancesService, type InstanceRow } from './instances.service.js';

export type InstanceRequest = Request & { principal?: Principal; instance?: InstanceRow };

/**
 * Resolves the `:instance` of the path for the caller, or 404. Runs after TokenAuthGuard (global:
 * 401, and 403 for another instance's TokenInstance) and before the body pipe (400): the order of
 * SPEC section 4. (POST /api/message/* and /api/sandbox/receive check their body first, as they
 * always have: they resolve the instance in the handler, after the pipe.)
 */
@Injectable()
export class InstanceAccessGuard implements CanActivate {
  constructor(private readonly instances: InstancesService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<InstanceRequest>();
    req.instance = await this.instances.resolve(req.principal, String(req.params.instance));
    return true;
  }
}

/** A route (or every route of a controller) acting on the `:instance` of its path; see CurrentInstance. */
export const InstanceRoute = () =>
  applyDecorators(UseGuards(InstanceAccessGuard), ApiParam({ name: 'instance', schema: INSTANCE_NAME_SCHEMA }));
