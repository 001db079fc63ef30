import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { ChatwootIntegration } from '../../src/ryzeapi/chatwoot/chatwoot-integration.entity.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { api } from '../support/http.js';
import { registerSecret } from '../support/leak-guard.js';
import { createTestDatabase, startApp, TEST_KEY, type TestApp, type TestDatabase } from '../support/test-app.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const CLI = resolve(ROOT, 'dist/src/ryzeapi/cli/keys-rotate.js');
const K1 = TEST_KEY;
const K2 = `k2:${Buffer.alloc(32, 42).toString('base64')}`;
const NAMES = ['alpha', 'beta', 'gamma'];
const TOKENS = Object.fromEntries(NAMES.map((name) => [name, `cw-rotate-${name}-token-${Math.random().toString(36).slice(2)}`]));
Object.values(TOKENS).forEach(registerSecret);

/** `npm run keys:rotate` as an operator runs it: the compiled CLI in a child process. */
describe('keys:rotate CLI', () => {
  const bridge = new FakeBridge();
  let db: TestDatabase;
  let t: TestApp | undefined;
  let oldBeta: string;

  async function cli(env: Record<string, string>) {
    let result: { code: number; stdout: string; stderr: string };
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...db.env, ...env } });
      result = { code: 0, stdout, stderr };
    } catch (error) {
      const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
      result = { code, stdout, stderr };
    }
    for (const token of Object.values(TOKENS)) expect(result.stdout + result.stderr).not.toContain(token);
    return result;
  }

  const app = () => t!;
  const sql = (query: string, params: unknown[] = []) => app().app.get(DataSource).query(query, params);
  const stored = async (): Promise<Record<string, { id: string; token: string; integration: string }>> =>
    Object.fromEntries(
      (await sql(`SELECT i.name, c.instance_id, c.chatwoot_api_token, c.bridge_integration_id FROM chatwoot_integrations c JOIN instances i ON i.id = c.instance_id`))
        .map((r: any) => [r.name, { id: r.instance_id, token: r.chatwoot_api_token, integration: r.bridge_integration_id }]),
    );
  const decrypted = async (instanceId: string) =>
    (await app().app.get(DataSource).getRepository(ChatwootIntegration).findOne({
      where: { instanceId },
      select: { instanceId: true, chatwootApiToken: true },
    }))?.chatwootApiToken;
  const start = async (keys: string) => {
    t = await startApp({ BRIDGE_URL: bridge.url, BRIDGE_TOKEN: bridge.token, ENCRYPTION_KEYS: keys }, db);
  };
  const stop = async () => {
    await t?.close();
    t = undefined;
  };
  let account: string;
  const set = (name: string, chatwootApiToken: string) =>
    api(app().url, account).post(`/api/chatwoot/set/${name}`, { chatwootBaseUrl: 'https://chatwoot.example.com', chatwootAccountId: 5, chatwootApiToken });

  // dist/ is built by `npm test` (pretest).
  beforeAll(async () => {
    await bridge.start();
    db = await createTestDatabase();
    await start(K1);
    account = await app().newAccount();
    for (const name of NAMES) {
      expect((await api(app().url, account).post('/api/instance/new', { name })).status).toBe(201);
      expect((await set(name, TOKENS[name])).status).toBe(201);
    }
    const rows = await stored();
    expect(NAMES.map((name) => rows[name].token.slice(0, 6))).toEqual(['v1.k1.', 'v1.k1.', 'v1.k1.']);
    oldBeta = rows.beta.token;
    await stop();
  }, 180_000);
  afterAll(async () => {
    await stop();
    await bridge.stop();
    await db.drop();
  });

  it('re-encrypts every token under the first key', async () => {
    expect(await cli({ ENCRYPTION_KEYS: `${K2},${K1}` })).toEqual({
      code: 0,
      stdout: 'Key "k2" encrypts. Stored Chatwoot API tokens: 3.\nRe-encrypted: 3. Already current: 0.\n',
      stderr: '',
    });
  });

  it('leaves current tokens alone on a second run', async () => {
    expect(await cli({ ENCRYPTION_KEYS: `${K2},${K1}` })).toEqual({
      code: 0,
      stdout: 'Key "k2" encrypts. Stored Chatwoot API tokens: 3.\nRe-encrypted: 0. Already current: 3.\n',
      stderr: '',
    });
  });

  it('leaves a service with only k2 fully working', async () => {
    await start(K2);
    const rows = await stored();
    for (const name of NAMES) {
      expect([name, rows[name].token.slice(0, 6)]).toEqual([name, 'v1.k2.']);
      expect([name, await decrypted(rows[name].id)]).toEqual([name, TOKENS[name]]);
    }

    const newToken = 'cw-rotate-alpha-second-token';
    registerSecret(newToken);
    const res = await set('alpha', newToken);
    expect(res.status).toBe(201);
    expect(res.body.bridge_integration_id).toBe(rows.alpha.integration);
    expect(bridge.requestsTo('activate').at(-1)!.body.integration_id).toBe(rows.alpha.integration);
    expect(await sql(`SELECT count(*)::int AS n FROM chatwoot_integrations WHERE instance_id = $1`, [rows.alpha.id])).toEqual([{ n: 1 }]);
    expect(await decrypted(rows.alpha.id)).toBe(newToken);
    expect((await api(app().url, account).get('/api/chatwoot/list/beta')).status).toBe(200);
    await stop();
  });

  it('names every value it cannot decrypt, rotates the rest, and exits 1', async () => {
    await start(K2);
    const rows = await stored();
    const parts = rows.gamma.token.split('.');
    const ciphertext = Buffer.from(parts[4], 'base64url');
    ciphertext[0] ^= 1;
    parts[4] = ciphertext.toString('base64url');
    await sql(`UPDATE chatwoot_integrations SET chatwoot_api_token = $2 WHERE instance_id = $1`, [rows.gamma.id, parts.join('.')]);
    await sql(`UPDATE chatwoot_integrations SET chatwoot_api_token = $2 WHERE instance_id = $1`, [rows.beta.id, oldBeta]);
    await stop();

    expect(await cli({ ENCRYPTION_KEYS: K2 })).toEqual({
      code: 1,
      stdout: 'Key "k2" encrypts. Stored Chatwoot API tokens: 3.\nRe-encrypted: 0. Already current: 1.\n',
      stderr:
        'Could not decrypt 2 stored token(s); they were left as they are:\n' +
        `  instance ${rows.beta.id} (beta): stored token cannot be decrypted: key "k1" is not in ENCRYPTION_KEYS\n` +
        `  instance ${rows.gamma.id} (gamma): stored token cannot be decrypted: authentication tag mismatch (tampered value or wrong key)\n`,
    });

    // With the old key back, the k1 value is rotated; the tampered one still fails.
    const again = await cli({ ENCRYPTION_KEYS: `${K2},${K1}` });
    expect([again.code, again.stdout]).toEqual([1, 'Key "k2" encrypts. Stored Chatwoot API tokens: 3.\nRe-encrypted: 1. Already current: 1.\n']);
    expect(again.stderr).toContain(`instance ${rows.gamma.id} (gamma)`);
    expect(again.stderr).not.toContain('(beta)');
  });

  it('refuses to run without ENCRYPTION_KEYS, naming it', async () => {
    const { code, stdout, stderr } = await cli({});
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toBe('invalid configuration: ENCRYPTION_KEYS is required: put the new key first, e.g. k2:<base64 of 32 bytes>,k1:<old key>\n');
  });
});
