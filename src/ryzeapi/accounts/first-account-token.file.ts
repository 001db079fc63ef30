import { Injectable } from '@nestjs/common';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AppConfig } from '../config/app-config.js';

/** The file that hands the first account's TokenAccount to the person who started the service. */
@Injectable()
export class FirstAccountTokenFile {
  readonly path: string;

  constructor(config: AppConfig) {
    this.path = resolve(config.firstAccountTokenFile);
  }

  /** Readable and writable by its owner only (0600), whatever was there before. */
  write(token: string): void {
    mkdirSync(dirname(this.path), { recursive: true });
    rmSync(this.path, { force: true });
    writeFileSync(this.path, `${token}\n`, { flag: 'wx', mode: 0o600 });
  }
}
