import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { ChatwootIntegration } from '../../src/ryzeapi/chatwoot/chatwoot-integration.entity.js';
import { TokenDecryptionError } from '../../src/shared/crypto/token-cipher.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { api } from '../support/http.js';
import { registerSecret } from '../support/leak-guard.js';
import { createTestDatabase, startApp, TEST_KEY, type TestApp, type TestDatabase } from '../support/test-app.js';

const K1 = TEST_KEY;
const K2 = `k2:${Buffer.alloc(32, 9).toString('base64')}`;
const SHARED_TOKEN = 'cw-storage-shared-token-4b1d';
const NEW_TOKEN = 'cw-storage-new-token-77aa';
registerSecret(SHARED_TOKEN);
registerSecret(NEW_TOKEN);

/** Flips one bit of the ciphertext (part 4) or tag (part 3) of a stored value. */
function tamper(stored: string, part: 3 | 4): string {
  const parts = stored.split('.');
  const bytes = Buffer.from(parts[part], 'base64url');
  bytes[0] ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('encrypted storage of the Chatwoot API token', () => {
  const bridge = new FakeBridge();
  let db: TestDatabase;
  let t: TestApp;
  let account: string;

  const rawToken = async (instance: string): Promise<string> =>
    (await t.app.get(DataSource).query(
      `SELECT c.chatwoot_api_token FROM chatwoot_integrations c JOIN instances i ON i.id = c.instance_id WHERE i.name = $1`,
      [instance],
    ))[0].chatwoot_api_token;
  const instanceId = async (instance: string): Promise<string> =>
    (await t.app.get(DataSource).query(`SELECT id FROM instances WHERE name = $1`, [instance]))[0].id;
  /** The token as the entity reads it: through the decrypting transformer. */
  const decrypted = async (instance: string): Promise<string> => {
    const row = await t.app.get(DataSource).getRepository(ChatwootIntegration).findOne({
      where: { instanceId: await instanceId(instance) },
      select: { instanceId: true, chatwootApiToken: true },
    });
    return row!.chatwootApiToken;
  };
  const decryptionError = (instance: string) => decrypted(instance).then(() => undefined, (error: unknown) => error);
  const set = (instance: string, chatwootApiToken: string) =>
    api(t.url, account).post(`/api/chatwoot/set/${instance}`, { chatwootBaseUrl: 'https://chatwoot.example.com', chatwootAccountId: 5, chatwootApiToken });
  const start = async (keys: string) => {
    t = await startApp({ BRIDGE_URL: bridge.url, BRIDGE_TOKEN: bridge.token, ENCRYPTION_KEYS: keys }, db);
  };

  beforeAll(async () => {
    await bridge.start();
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await bridge.stop();
    await db.drop();
  });

  describe('under ENCRYPTION_KEYS=k1', () => {
    beforeAll(async () => {
      await start(K1);
      account = await t.newAccount();
      for (const name of ['one', 'two', 'three']) {
        expect((await api(t.url, account).post('/api/instance/new', { name })).status).toBe(201);
        expect((await set(name, SHARED_TOKEN)).status).toBe(201);
      }
    });
    afterAll(() => t.close());

    it('stores ciphertext tagged with the key id, never the plaintext', async () => {
      for (const name of ['one', 'two', 'three']) {
        const stored = await rawToken(name);
        expect(stored).toMatch(/^v1\.k1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
        expect(stored).not.toContain(SHARED_TOKEN);
      }
    });

    it('gives the same token a different value each time (fresh IV)', async () => {
      const values = await Promise.all(['one', 'two', 'three'].map(rawToken));
      expect(new Set(values).size).toBe(3);
    });

    it('reads the token back through the entity', async () => {
      expect(await decrypted('one')).toBe(SHARED_TOKEN);
    });

    it('refuses a tampered value instead of returning garbage', async () => {
      const dataSource = t.app.get(DataSource);
      for (const [name, part] of [['two', 4], ['three', 3]] as const) {
        await dataSource.query(`UPDATE chatwoot_integrations SET chatwoot_api_token = $2 WHERE instance_id = $1`, [
          await instanceId(name),
          tamper(await rawToken(name), part),
        ]);
        const error = await decryptionError(name);
        expect(error).toBeInstanceOf(TokenDecryptionError);
        expect((error as Error).message).toBe('stored token cannot be decrypted: authentication tag mismatch (tampered value or wrong key)');
      }
    });

    it('does not decrypt the token on ordinary reads: list still answers', async () => {
      const res = await api(t.url, account).get('/api/chatwoot/list/two');
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('v1.k1.');
    });

    it('repairs a tampered value on the next set (update in place)', async () => {
      expect((await set('three', SHARED_TOKEN)).status).toBe(201);
      expect(await decrypted('three')).toBe(SHARED_TOKEN);
    });
  });

  describe('after rotating to ENCRYPTION_KEYS=k2,k1', () => {
    beforeAll(() => start(`${K2},${K1}`));
    afterAll(() => t.close());

    it('still decrypts values written under k1', async () => {
      expect(await rawToken('one')).toMatch(/^v1\.k1\./);
      expect(await decrypted('one')).toBe(SHARED_TOKEN);
    });

    it('writes new values under k2', async () => {
      expect((await set('three', NEW_TOKEN)).status).toBe(201);
      expect(await rawToken('three')).toMatch(/^v1\.k2\./);
      expect(await decrypted('three')).toBe(NEW_TOKEN);
    });
  });

  describe('with ENCRYPTION_KEYS=k2 only', () => {
    beforeAll(() => start(K2));
    afterAll(() => t.close());

    it('decrypts k2 values and refuses k1 ones, naming the missing key', async () => {
      expect(await decrypted('three')).toBe(NEW_TOKEN);
      const error = await decryptionError('one');
      expect(error).toBeInstanceOf(TokenDecryptionError);
      expect((error as Error).message).toBe('stored token cannot be decrypted: key "k1" is not in ENCRYPTION_KEYS');
    });
  });
});
