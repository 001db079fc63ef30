import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadBridgeConfig } from '../../src/bridge/config/bridge-config.js';
import { loadConfig } from '../../src/ryzeapi/config/app-config.js';
import type { Env } from '../../src/shared/config/env.js';

/** The entrypoint command each application's service runs, and that application's config loader. */
const LOADERS: Record<string, (env: Env) => unknown> = { start: loadConfig, bridge: loadBridgeConfig };

/** Values for the variables docker-compose.yml takes from `.env` (the required ones have no default). */
const DOT_ENV: Env = {
  POSTGRES_PASSWORD: 'postgres-password',
  ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
  BRIDGE_TOKEN: 'a-bridge-token-of-some-length',
};

interface ComposeService {
  command?: string[];
  environment?: Record<string, string | number | boolean> | string[];
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8')) as { services: Record<string, ComposeService> };
const entrypoint = readFileSync(new URL('../../scripts/docker-entrypoint.sh', import.meta.url), 'utf8');
const dotEnvExample = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}. */
function interpolate(value: string, dotEnv: Env): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    const set = dotEnv[name];
    if (set !== undefined && (set !== '' || !op?.startsWith(':'))) return set;
    if (op?.endsWith('?')) throw new Error(`${name}: ${arg}`);
    return op?.endsWith('-') ? (arg ?? '') : '';
  });
}

function environmentOf(service: ComposeService, dotEnv: Env): Env {
  const entries = Array.isArray(service.environment)
    ? service.environment.map((line) => [line.split('=')[0], line.slice(line.indexOf('=') + 1)])
    : Object.entries(service.environment ?? {});
  return Object.fromEntries(entries.map(([key, value]) => [key, interpolate(String(value), dotEnv)]));
}

/** Runs a config loader on `env` and returns the names it read (every property access, present or not). */
function variablesRead(load: (env: Env) => unknown, env: Env): Set<string> {
  const read = new Set<string>();
  load(
    new Proxy(env, {
      get: (target, key) => (typeof key === 'string' && read.add(key), target[key as string]),
      has: (target, key) => (typeof key === 'string' && read.add(key), key in target),
    }),
  );
  return read;
}

const appServices = Object.entries(compose.services).filter(([, service]) => service.command && LOADERS[service.command[0]]);

describe('docker-compose.yml', () => {
  it('runs both applications from the image: RyzeAPI (start) and the bridge (bridge), each a command of the entrypoint', () => {
    expect(appServices.map(([, service]) => service.command![0]).sort()).toEqual(['bridge', 'start']);
    for (const [, service] of appServices) expect(entrypoint).toMatch(new RegExp(`^\\s*(""\\|)?${service.command![0]}\\)`, 'm'));
  });

  it.each(appServices)('%s: every variable it sets is one its application reads, and the application starts on them', (_name, service) => {
    const env = environmentOf(service, DOT_ENV);
    const read = variablesRead(LOADERS[service.command![0]], env);
    expect(Object.keys(env).filter((key) => !read.has(key))).toEqual([]);
  });

  it('the two applications share BRIDGE_TOKEN and the database, and point at each other', () => {
    const [ryzeapi, bridge] = ['start', 'bridge'].map((command) => {
      const [name, service] = appServices.find(([, s]) => s.command![0] === command)!;
      return { name, env: environmentOf(service, DOT_ENV) };
    });
    expect(bridge.env.BRIDGE_TOKEN).toBe(ryzeapi.env.BRIDGE_TOKEN);
    expect(bridge.env.DATABASE_URL).toBe(ryzeapi.env.DATABASE_URL);
    expect(new URL(ryzeapi.env.BRIDGE_URL!).host).toBe(`${bridge.name}:${bridge.env.PORT}`);
    expect(new URL(ryzeapi.env.BRIDGE_INTERNAL_RYZEAPI_URL!).host).toBe(`${ryzeapi.name}:${ryzeapi.env.PORT}`);
  });

  it.each(appServices)('%s: its healthcheck asks its own /health/ready (started, not shutting down, database answering)', (_name, service) => {
    const env = environmentOf(service, DOT_ENV);
    const test = service.healthcheck?.test.join(' ');
    expect(test).toContain(`'http://127.0.0.1:${env.PORT}/health/ready'`);
  });

  it('a required secret missing from .env stops compose with its name', () => {
    const [, service] = appServices[0];
    expect(() => environmentOf(service, { ...DOT_ENV, BRIDGE_TOKEN: '' })).toThrow(/BRIDGE_TOKEN/);
  });

  it('.env.example names every variable the file takes from .env', () => {
    const used = new Set(Object.values(compose.services).flatMap((s) => [...JSON.stringify(s.environment ?? {}).matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1])));
    const listed = new Set([...dotEnvExample.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect([...used].filter((name) => !listed.has(name))).toEqual([]);
  });
});
