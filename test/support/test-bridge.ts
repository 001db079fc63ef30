import 'reflect-metadata';
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { createServer, type AddressInfo } from 'node:net';
import { createBridgeApp } from '../../src/bridge/bridge-app.factory.js';
import { loadBridgeConfig, type BridgeAppConfig } from '../../src/bridge/config/bridge-config.js';
import { startFakeChatwoot, type FakeChatwoot } from './fake-chatwoot/index.js';
import { api } from './http.js';
import { registerSecret } from './leak-guard.js';
import { createTestDatabase, logCapture, startApp, TEST_KEY, type TestApp, type TestDatabase } from './test-app.js';

export interface TestBridge {
  app: INestApplication;
  config: BridgeAppConfig;
  url: string;
  close(): Promise<void>;
}

/** Starts the real bridge (RyzeIntegrations) in this process on a random loopback port. */
export async function startBridge(env: Record<string, string>, db: TestDatabase): Promise<TestBridge> {
  const config = loadBridgeConfig({
    LOG_LEVEL: 'info',
    ENCRYPTION_KEYS: TEST_KEY,
    RYZEAPI_BACKOFF_INITIAL_MS: '50',
    RYZEAPI_BACKOFF_MAX_MS: '500',
    CHATWOOT_RETRY_INITIAL_MS: '50',
    CHATWOOT_RETRY_MAX_MS: '500',
    CHATWOOT_TIMEOUT_MS: '3000',
    ...db.env,
    ...env,
  });
  registerSecret(config.token);
  config.encryptionKeys.forEach((k) => registerSecret(k.key.toString('base64')));
  const app = await createBridgeApp(config, { logStream: logCapture() });
  app.enableShutdownHooks();
  await app.listen(config.port, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, config, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export const BRIDGE_TOKEN = 'bridge-service-token-for-tests';

/**
 * RyzeAPI (sandbox engine), the real bridge and a fake Chatwoot, wired as in production, on one
 * database (the bridge's tables have their own names). `restartBridge` stops the bridge and starts a
 * new one on the same port and data.
 */
export interface Stack {
  ryze: TestApp;
  bridge: TestBridge;
  chatwoot: FakeChatwoot;
  account: string;
  /** Stops the bridge, runs `between`, starts it again (with `env` over its environment, for that run only). */
  restartBridge(between?: () => Promise<void>, env?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(
  options: { bridgeEnv?: Record<string, string>; ryzeEnv?: Record<string, string>; latencyMs?: number; apiWebhooks?: boolean; signingSecrets?: boolean } = {},
): Promise<Stack> {
  const chatwoot = await startFakeChatwoot({ apiWebhooks: options.apiWebhooks ?? false, latencyMs: options.latencyMs, signingSecrets: options.signingSecrets });
  registerSecret(chatwoot.token);
  registerSecret(chatwoot.agentToken);
  const db = await createTestDatabase();
  // The inbox webhook URL is built from PUBLIC_URL: the port must be known before the bridge starts.
  const port = String(await freePort());
  const bridgeEnv = { BRIDGE_TOKEN, PORT: port, PUBLIC_URL: `http://127.0.0.1:${port}`, ...options.bridgeEnv };
  let bridge = await startBridge(bridgeEnv, db);
  const ryze = await startApp({ BRIDGE_URL: bridge.url, BRIDGE_TOKEN, ENCRYPTION_KEYS: TEST_KEY, ...options.ryzeEnv }, db);
  // RyzeAPI listens on a random port, known only now: the URL it gives the bridge must be that one.
  ryze.config.bridge!.internalRyzeApiUrl = ryze.url;
  const account = await ryze.newAccount();
  const stack: Stack = {
    ryze,
    get bridge() {
      return bridge;
    },
    chatwoot,
    account,
    async restartBridge(between, env = {}) {
      await bridge.close();
      await between?.();
      bridge = await startBridge({ ...bridgeEnv, ...env, PORT: port }, db);
    },
    async close() {
      await bridge.close();
      await ryze.close();
      await chatwoot.close();
      await db.drop();
    },
  };
  return stack;
}

/**
 * A stack for the enclosing describe block: started before its tests, checked after each that no
 * request broke Chatwoot's OpenAPI document, closed after all. Call the returned function in a test.
 */
export function useStack(options: Parameters<typeof startStack>[0] = {}): () => Stack {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack(options);
  });
  afterEach(() => stack?.chatwoot.assertNoViolations());
  afterAll(async () => {
    await stack?.close();
  });
  return () => stack!;
}

/** Creates a connected sandbox instance with an active Chatwoot integration; returns its name and integration id. */
export async function connectedInstance(stack: Stack, name: string, settings: Record<string, unknown> = {}): Promise<{ name: string; integrationId: string }> {
  const client = api(stack.ryze.url, stack.account);
  const created = await client.post('/api/instance/new', { name });
  if (created.status !== 201) throw new Error(`instance ${name}: ${created.status} ${created.text}`);
  await client.get(`/api/instance/connect/${name}`);
  const set = await client.post(`/api/chatwoot/set/${name}`, {
    chatwootBaseUrl: stack.chatwoot.url,
    chatwootAccountId: stack.chatwoot.accountId,
    chatwootApiToken: stack.chatwoot.token,
    ...settings,
  });
  if (set.status !== 201) throw new Error(`set ${name}: ${set.status} ${set.text}`);
  return { name, integrationId: set.body.bridge_integration_id };
}

/** A WhatsApp message arriving at the sandbox. */
export async function receive(stack: Stack, instance: string, message: Record<string, unknown>): Promise<string> {
  const res = await api(stack.ryze.url, stack.account).post(`/api/sandbox/receive/${instance}`, message);
  if (res.status !== 201) throw new Error(`receive: ${res.status} ${res.text}`);
  return res.body.message_id;
}

/** A loopback port free right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
