import {
  CanActivate, ExecutionContext, ForbiddenException, HttpException, HttpStatus, Injectable, UnauthorizedException,
} from '@nestjs/common';
import { FixedWindowLimiter } from '../common/rate-limit/fixed-window.limiter.js';
import { AppConfig } from '../config/app-config.js';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ACCESS_KEY } from './access.decorator.js';
import { isBridgeBearer } from './bridge-token.js';
import { ApiTokensRepository } from './api-tokens.repository.js';
import type { Access, Principal } from './principal.js';
import { extractToken, hashToken } from './token.util.js';

@Injectable()
export class TokenAuthGuard implements CanActivate {
  /** Unknown tokens per client address: guessing tokens costs a database lookup each time. */
  private readonly invalidTokens: FixedWindowLimiter;
  private readonly bridgeToken?: string;

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokensRepository,
    config: AppConfig,
  ) {
    this.bridgeToken = config.bridge?.token;
    this.invalidTokens = new FixedWindowLimiter(config.rateLimit.invalidTokensPerMinute, 60_000);
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const access =
      this.reflector.getAllAndOverride<Access>(ACCESS_KEY, [ctx.getHandler(), ctx.getClass()]) ?? 'account';
    if (access === 'public') return true;

    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>();
    if (access === 'instance-or-bridge' && isBridgeBearer(req.headers.authorization, this.bridgeToken)) return true;
    const token = extractToken(req);
    if (!token) throw new UnauthorizedException('Missing token');
    const client = req.ip ?? 'unknown';
    if (this.invalidTokens.exhausted(client)) throw new HttpException('Rate limit exceeded. Try again later.', HttpStatus.TOO_MANY_REQUESTS);
    const principal = await this.tokens.findPrincipal(hashToken(token));
    if (!principal) {
      this.invalidTokens.take(client);
      throw new UnauthorizedException('Invalid token');
    }

    if (principal.instance) {
      if (access === 'account') throw new UnauthorizedException('Invalid token');
      const target = req.params?.instance;
      if ((access === 'instance' || access === 'instance-or-bridge') && target !== undefined && target !== principal.instance.name) {
        throw new ForbiddenException('Instance token does not match this instance');
      }
    }
    req.principal = principal;
    return true;
  }
}
