import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { AccountsRepository } from './accounts.repository.js';
import { AccountsService } from './accounts.service.js';
import { FirstAccountTokenFile } from './first-account-token.file.js';

@Module({ imports: [AuthModule], providers: [AccountsRepository, AccountsService, FirstAccountTokenFile], exports: [AccountsService] })
export class AccountsModule {}
