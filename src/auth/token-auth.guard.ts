import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ACCESS_KEY } from './access.decorator.js';
import { ApiTokensRepository } from './api-tokens.repository.js';
import type { Access, Principal } from './principal.js';
import { extractToken, hashToken } from './token.util.js';

@Injectable()
export class TokenAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokensRepository,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const access =
      this.reflector.getAllAndOverride<Access>(ACCESS_KEY, [ctx.getHandler(), ctx.getClass()]) ?? 'account';
    if (access === 'public') return true;

    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const token = extractToken(req);
    if (!token) throw new UnauthorizedException('Missing token');
    const principal = await this.tokens.findPrincipal(hashToken(token));
    if (!principal) throw new UnauthorizedException('Invalid token');

    if (principal.instance) {
      if (access === 'account') throw new UnauthorizedException('Invalid token');
      const target = req.params?.instance;
      if (access === 'instance' && target !== undefined && target !== principal.instance.name) {
        throw new ForbiddenException('Instance token does not match this instance');
      }
    }
    req.principal = principal;
    return true;
  }
}
