import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { api } from '../support/http.js';
import { registerSecret } from '../support/leak-guard.js';
import { createTestDatabase, startApp, type TestDatabase } from '../support/test-app.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const CLI = resolve(ROOT, 'dist/src/ryzeapi/cli/account-create.js');

/** `npm run account:create -- <name>` (SPEC section 11), run as the operator would: a child process. */
describe('account:create CLI', () => {
  let db: TestDatabase;

  /** Runs the compiled CLI on the test database (DATA_DIR or DATABASE_URL) plus `env`. */
  async function cli(args: string[], env: Record<string, string> = {}) {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...db.env, ...env },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
      return { code, stdout, stderr };
    }
  }

  // dist/ is built by `npm test` (pretest).
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('creates an account whose printed token works against the service', async () => {
    const { code, stdout, stderr } = await cli(['demo']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Created account "demo" \(id [0-9a-f-]{36}\)\. Its TokenAccount, shown only now:$/);
    const token = lines[1];
    expect(token).toMatch(/^ryz_acc_[A-Za-z0-9_-]{32}$/);
    registerSecret(token);

    const t = await startApp({}, db);
    try {
      const created = await api(t.url, token).post('/api/instance/new', { name: 'from-cli' });
      expect(created.status).toBe(201);
      expect((await api(t.url, token).get('/api/instance/list')).body.data.map((i: { name: string }) => i.name)).toEqual(['from-cli']);
    } finally {
      await t.close();
    }
  });

  it('exits 1 with the usage when the name is missing', async () => {
    expect(await cli([])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'the account name is missing\nusage: npm run account:create -- <name>\n',
    });
    expect((await cli(['  '])).code).toBe(1);
  });

  it('exits 1 naming the variable when the configuration is invalid', async () => {
    expect(await cli(['demo'], { PORT: 'eighty' })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'invalid configuration: PORT must be a whole number from 0 to 65535\n',
    });
    const { code, stderr } = await cli(['demo'], { BRIDGE_URL: 'http://bridge', BRIDGE_TOKEN: 'service-token' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^invalid configuration: ENCRYPTION_KEYS is required/);
  });
});
