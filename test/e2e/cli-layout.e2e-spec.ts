import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { registerSecret } from '../support/leak-guard.js';
import { ROOT, ServiceProcess } from '../support/service-process.js';
import { TEST_KEY } from '../support/test-app.js';

const run = promisify(execFile);

async function exec(file: string, args: string[], cwd: string, env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

/**
 * The CLIs as the Docker image holds them: package.json, dist/, scripts/ and the dependencies, no
 * TypeScript sources and no tsconfig (the image itself cannot be built on this machine).
 */
describe('CLIs in the Docker image layout', () => {
  let app: string;
  let data: string;

  beforeAll(() => {
    app = mkdtempSync(join(tmpdir(), 'ryze-image-'));
    for (const part of ['package.json', 'dist', 'scripts']) cpSync(join(ROOT, part), join(app, part), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
    data = join(app, 'data');
  });
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  it('npm run account:create runs the compiled CLI without rebuilding', async () => {
    const { code, stdout, stderr } = await exec('npm', ['run', '--silent', 'account:create', '--', 'acme'], app, { DATA_DIR: data });
    const token = stdout.trimEnd().split('\n').at(-1)!;
    registerSecret(token);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(token).toMatch(/^ryz_acc_[A-Za-z0-9_-]{32}$/);
  });

  it('the image entrypoint runs account:create and keys:rotate', async () => {
    const entrypoint = join(app, 'scripts/docker-entrypoint.sh');
    const created = await exec(entrypoint, ['account:create', 'acme two'], app, { DATA_DIR: data });
    registerSecret(created.stdout.trimEnd().split('\n').at(-1));
    expect([created.code, created.stderr, created.stdout]).toEqual([0, '', expect.stringMatching(/^Created account "acme two" /)]);

    const rotated = await exec(entrypoint, ['keys:rotate'], app, { DATA_DIR: data, ENCRYPTION_KEYS: TEST_KEY });
    expect([rotated.code, rotated.stderr, rotated.stdout]).toEqual([
      0, '', 'Key "k1" encrypts. Stored Chatwoot API tokens: 0.\nRe-encrypted: 0. Already current: 0.\n',
    ]);
  });

  it('account:create says what to do while the service holds the embedded database', async () => {
    const service = new ServiceProcess({ DATA_DIR: data, PORT: '0', LOG_LEVEL: 'info' });
    try {
      await service.waitForLine(/RyzeAPI listening/);
      const { code, stdout, stderr } = await exec(join(app, 'scripts/docker-entrypoint.sh'), ['account:create', 'acme'], app, { DATA_DIR: data });
      expect([code, stdout]).toEqual([1, '']);
      expect(stderr).toBe(
        `account:create: the embedded database in DATA_DIR ${data} is in use by the running RyzeAPI service (process ${service.pid}), ` +
          'and it allows one process at a time.\n' +
          'Either stop the service (Ctrl-C, or docker stop) and run this again, then start the service again;\n' +
          "or leave it running and work through it: its first start wrote its first account's TokenAccount to a file it named in its log " +
          '(by default DATA_DIR/first-account-token), and that account creates instances through the API (POST /api/instance/new). ' +
          'Run on PostgreSQL (DATABASE_URL) to use this command while the service runs.\n',
      );
    } finally {
      await service.stop();
    }
  });
});
