import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RateLimitModule } from '../common/rate-limit/rate-limit.module.js';
import { ApiTokensRepository } from './api-tokens.repository.js';
import { TokenAuthGuard } from './token-auth.guard.js';

/**
 * TokenAuthGuard is an APP_GUARD, so it runs on every route of every module: every route needs a
 * token unless it says otherwise (RequireAccess('public')), and no module can forget to ask for one.
 */
@Module({
  imports: [RateLimitModule],
  providers: [ApiTokensRepository, { provide: APP_GUARD, useClass: TokenAuthGuard }],
  exports: [ApiTokensRepository],
})
export class AuthModule {}
