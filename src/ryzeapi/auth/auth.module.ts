import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiTokensRepository } from './api-tokens.repository.js';
import { TokenAuthGuard } from './token-auth.guard.js';

@Global()
@Module({
  providers: [ApiTokensRepository, { provide: APP_GUARD, useClass: TokenAuthGuard }],
  exports: [ApiTokensRepository],
})
export class AuthModule {}
