/**
 * `npm run bench:bridge`: WhatsApp messages from RyzeAPI's engine to Chatwoot through the real
 * bridge. RyzeAPI and a fake Chatwoot (every call answered after 20 ms) run in this process; the
 * bridge runs as its own process (`dist/src/bridge/main.js`) so that its CPU and memory are its
 * own. 2,000 messages over 100 chats, after one message per chat has made the contacts and
 * conversations. Prints one JSON object on stdout; progress on stderr. On DATABASE_URL's
 * PostgreSQL (both applications, one database) or, unset, embedded PGlite databases.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AccountsService } from '../../src/ryzeapi/accounts/accounts.service.js';
import { createApp } from '../../src/ryzeapi/app.factory.js';
import { loadConfig } from '../../src/ryzeapi/config/app-config.js';
import { EngineEvents } from '../../src/ryzeapi/engine/engine-events.js';
import type { MessageExchangeData } from '../../src/shared/protocol/event-data.types.js';
import { startFakeChatwoot } from '../../test/support/fake-chatwoot/index.js';
import { log, mib, nowMs, percentiles, round } from '../stats.js';

const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const P = {
  messages: num('BENCH_MESSAGES', 2_000),
  chats: num('BENCH_CHATS', 100),
  latencyMs: num('BENCH_CHATWOOT_LATENCY_MS', 20),
  inFlight: num('BENCH_IN_FLIGHT', 16),
};
const TARGETS = { messagesPerSecond: 500, callsPerMessage: 1.1, cpuMsPerMessage: 1 };
const TOKEN = 'bench-bridge-token-0123456789abcdef';
const KEY = `k1:${Buffer.alloc(32, 9).toString('base64')}`;
const CLOCK_TICK_MS = 10; // Linux USER_HZ 100

function message(chat: number, index: number): MessageExchangeData {
  const phone = `55119${(80_000_000 + chat).toString()}`;
  const jid = `${phone}@s.whatsapp.net`;
  return {
    message: {
      id: `BENCH${index.toString(16).padStart(12, '0').toUpperCase()}`,
      direction: 'incoming',
      timestamp: 1_760_000_000 + index,
      chat: { jid, name: `Cliente ${chat}`, type: 'private' },
      sender: { jid, name: `Cliente ${chat}` },
      content: { text: `Olá! Mensagem ${index} do cliente ${chat}: gostaria de saber o status do meu pedido.` },
    },
    source: 'whatsapp',
  };
}

/** CPU time (ms) and RSS (bytes) of a process, from /proc. */
function usage(pid: number): { cpuMs: number; rss: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const rssPages = Number(fields[21]);
  return { cpuMs: (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS, rss: rssPages * 4096 };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL?.trim();
  const dirs = databaseUrl ? [] : [mkdtempSync(join(tmpdir(), 'bench-ryze-')), mkdtempSync(join(tmpdir(), 'bench-bridge-'))];
  const dbEnv = (i: number): Record<string, string> => (databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: dirs[i] });

  const chatwoot = await startFakeChatwoot({ latencyMs: P.latencyMs, apiWebhooks: false });
  const stored = new Map<string, number>();
  const messages = chatwoot.store.messages;
  const set = messages.set.bind(messages);
  messages.set = (id, record) => {
    if (record.sourceId && !stored.has(record.sourceId)) stored.set(record.sourceId, nowMs());
    return set(id, record);
  };

  const bridgePort = await freePort();
  log(`bridge on port ${bridgePort} (${databaseUrl ? 'PostgreSQL' : 'PGlite'})`);
  // BENCH_BRIDGE_PROFILE=<dir>: a V8 CPU profile of the bridge process, written when it exits.
  const profile = process.env.BENCH_BRIDGE_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_BRIDGE_PROFILE}`] : [];
  const bridge = spawn(process.execPath, [...profile, 'dist/src/bridge/main.js'], {
    env: { ...process.env, ...dbEnv(1), PORT: String(bridgePort), BRIDGE_TOKEN: TOKEN, ENCRYPTION_KEYS: KEY, LOG_LEVEL: 'warn', CHATWOOT_MAX_IN_FLIGHT: String(P.inFlight) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const bridgeUrl = `http://127.0.0.1:${bridgePort}`;
  await until('the bridge', () => fetch(`${bridgeUrl}/health`).then((r) => r.ok, () => false), 60_000);

  const config = loadConfig({
    ...dbEnv(0),
    LOG_LEVEL: 'warn',
    BRIDGE_URL: bridgeUrl,
    BRIDGE_TOKEN: TOKEN,
    ENCRYPTION_KEYS: KEY,
    RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  config.bridge!.internalRyzeApiUrl = url;
  const { token } = await app.get(AccountsService).create('bench');
  const call = (method: string, path: string, body?: unknown) =>
    fetch(url + path, { method, headers: { token, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }).then(async (r) => {
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
      return r.json();
    });
  await call('POST', '/api/instance/new', { name: 'bench' });
  await call('GET', '/api/instance/connect/bench');
  await call('POST', '/api/chatwoot/set/bench', { chatwootBaseUrl: chatwoot.url, chatwootAccountId: chatwoot.accountId, chatwootApiToken: chatwoot.token });
  const [instance] = await app.get(DataSource).query(`SELECT id, name FROM instances WHERE name = 'bench'`);
  const events = app.get(EngineEvents);
  const publish = (data: MessageExchangeData) => events.publish({ instance, event: 'message.exchange', data });

  log(`warm-up: one message in each of ${P.chats} chats (contacts and conversations made)`);
  for (let chat = 0; chat < P.chats; chat++) await publish(message(chat, chat));
  await until('warm-up', () => stored.size >= P.chats);

  log(`measured: ${P.messages} messages over ${P.chats} chats, Chatwoot answering after ${P.latencyMs} ms`);
  const callsBefore = chatwoot.requests.length;
  const before = usage(bridge.pid!);
  const driverBefore = usage(process.pid);
  const emitted = new Map<string, number>();
  const start = nowMs();
  // All published at once: RyzeAPI stores them in publication order (group commits).
  const published: Promise<void>[] = [];
  for (let i = 0; i < P.messages; i++) {
    const data = message(i % P.chats, P.chats + i);
    emitted.set(`WAID:${data.message.id}`, nowMs());
    published.push(publish(data));
  }
  await Promise.all(published);
  const emittedIn = nowMs() - start;
  await until('every message in Chatwoot', () => stored.size >= P.chats + P.messages);
  const elapsed = nowMs() - start;
  const after = usage(bridge.pid!);
  const driverAfter = usage(process.pid);
  const calls = chatwoot.requests.length - callsBefore;
  const latencies = [...emitted].map(([sourceId, at]) => stored.get(sourceId)! - at);
  const violations = chatwoot.violations.length;

  const result = {
    database: databaseUrl ? 'postgresql' : 'pglite',
    messages: P.messages,
    chats: P.chats,
    chatwoot_latency_ms: P.latencyMs,
    chatwoot_max_in_flight: P.inFlight,
    emitted_in_ms: round(emittedIn),
    messages_per_second: round((P.messages / elapsed) * 1000),
    engine_to_chatwoot_ms: percentiles(latencies),
    chatwoot_calls_per_message: round(calls / P.messages, 3),
    /** As the fake Chatwoot measured each call (its latency, checks and storage included). */
    chatwoot_call_ms: percentiles(chatwoot.requests.slice(callsBefore).map((r) => r.durationMs)),
    bridge_cpu_ms_per_message: round((after.cpuMs - before.cpuMs) / P.messages, 3),
    bridge_rss_mib: mib(after.rss),
    /** This process: RyzeAPI and the fake Chatwoot (its OpenAPI checks run in a worker thread of it). */
    driver_cpu_ms_per_message: round((driverAfter.cpuMs - driverBefore.cpuMs) / P.messages, 3),
    measured_seconds: round(elapsed / 1000, 2),
    machine_load_average: loadavg().map((l) => round(l, 2)),
    duplicates: chatwoot.messages().length - stored.size,
    openapi_violations: violations,
    targets: {
      messages_per_second: `>= ${TARGETS.messagesPerSecond}`,
      chatwoot_calls_per_message: `<= ${TARGETS.callsPerMessage}`,
      bridge_cpu_ms_per_message: `< ${TARGETS.cpuMsPerMessage}`,
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);

  bridge.kill('SIGTERM');
  await new Promise((resolve) => bridge.once('exit', resolve));
  await app.close();
  await chatwoot.close({ allowViolations: true });
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
