import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { bearerMatches } from '../../shared/crypto/secret-compare.js';
import { BridgeHttpError } from '../common/bridge-http.error.js';
import { BridgeAppConfig } from '../config/bridge-config.js';

/** RyzeAPI's calls: `Authorization: Bearer <BRIDGE_TOKEN>`, compared in constant time. */
@Injectable()
export class ServiceTokenGuard implements CanActivate {
  constructor(private readonly config: BridgeAppConfig) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<Request>();
    if (!bearerMatches(req.headers.authorization, this.config.token)) throw new BridgeHttpError(401, 'invalid service token');
    return true;
  }
}
