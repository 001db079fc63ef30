import { Module } from '@nestjs/common';
import { AccountsService } from './accounts.service.js';
import { FirstAccountTokenFile } from './first-account-token.file.js';

@Module({ providers: [AccountsService, FirstAccountTokenFile], exports: [AccountsService] })
export class AccountsModule {}
