/**
 * `npm run bench`: the bridge channel's throughput, latency, storage ceiling, replay time and memory
 * per socket, on DATABASE_URL's PostgreSQL or (unset) an embedded PGlite in a temporary folder.
 * Prints one JSON object on stdout; progress goes to stderr. See bench/README.md.
 */
import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AccountsService } from '../src/ryzeapi/accounts/accounts.service.js';
import { createApp } from '../src/ryzeapi/app.factory.js';
import { ChannelHub } from '../src/ryzeapi/chatwoot/channel/channel.hub.js';
import { loadConfig } from '../src/ryzeapi/config/app-config.js';
import { EngineEvents } from '../src/ryzeapi/engine/engine-events.js';
import type { InstanceRef } from '../src/ryzeapi/engine/engine.types.js';
import { ClientProcess } from './client-handle.js';
import { cpuSample, cpuSince } from './cpu.js';
import { incomingMessage } from './payload.js';
import { profiled } from './profile.js';
import type { ConsumeResult } from './protocol.js';
import { log, mib, nowMs, percentiles, round } from './stats.js';
import { traceQueries, type SqlPhase } from './trace.js';

const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
/** BENCH_QUICK=1: smaller phases for iterating (the targets are read off full runs). */
const QUICK = !!process.env.BENCH_QUICK;
const P = {
  relayEvents: num('BENCH_RELAY_EVENTS', QUICK ? 20_000 : 50_000),
  inFlight: num('BENCH_IN_FLIGHT', 2_000),
  fixedRate: num('BENCH_FIXED_RATE', 1_000),
  fixedSeconds: num('BENCH_FIXED_SECONDS', QUICK ? 5 : 10),
  ceilingBatch: 1_000,
  replayEvents: num('BENCH_REPLAY_EVENTS', QUICK ? 20_000 : 100_000),
  sockets: num('BENCH_SOCKETS', QUICK ? 200 : 1_000),
};
/** BENCH_ONLY=memory,max,fixed,floor,ceiling,replay,nodes runs a subset (for profiling); all by default. */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'memory,max,fixed,floor,ceiling,replay,nodes').split(',').map((s) => s.trim()));
const TARGETS = { relayOverCeiling: 0.7, replaySeconds: 10, socketsRssMiB: 256, steadyOverMaxCost: 3, steadyP99Ms: 20, twoNodesOverOne: 0.8, twoNodesP99Ms: 100 };

const gc = (globalThis as { gc?: () => void }).gc;
async function settledRss(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 100));
  }
  return process.memoryUsage();
}

interface Ctx {
  app: NestExpressApplication;
  db: DataSource;
  events: EngineEvents;
  hub: ChannelHub;
  client: ClientProcess;
  url: string;
  wsUrl: string;
  accountToken: string;
  bridgeToken: string;
  runTag: string;
  nextTag: number;
  sql: { take(): SqlPhase };
}

/** The PostgreSQL backends serving the benchmark's database (undefined with PGlite: it is this process). */
async function backendPids(ctx: Ctx): Promise<Set<number> | undefined> {
  if (!process.env.DATABASE_URL?.trim()) return undefined;
  const rows: { pid: number }[] = await ctx.db.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
  return new Set(rows.map((r) => r.pid));
}

const union = (a?: Set<number>, b?: Set<number>) => (a && b ? new Set([...a, ...b]) : undefined);

/** The phase's statements (from the SQL trace), per event. */
function sqlPerEvent(phase: SqlPhase, events: number) {
  return { ...phase, per_event: round(phase.statements / events, 3) };
}

async function createInstances(ctx: Ctx, names: string[], concurrency = 16): Promise<InstanceRef[]> {
  await ctx.client.run({ cmd: 'createInstances', baseUrl: ctx.url, token: ctx.accountToken, names, concurrency });
  const rows: InstanceRef[] = await ctx.db.query(`SELECT id, name FROM instances WHERE name = ANY($1)`, [names]);
  const byName = new Map(rows.map((r) => [r.name, r]));
  return names.map((n) => byName.get(n)!);
}

/**
 * Publishes `count` messages for `instance`, keeping at most `inFlight` publishes unresolved
 * (publish resolves once the event is stored). With `rate`, publishes on that schedule instead.
 * Fills publishedAt[i] with the time publish(i) was called.
 */
async function publish(ctx: Ctx, instance: InstanceRef, tag: number, count: number, opts: { inFlight?: number; rate?: number }): Promise<{ publishedAt: Float64Array; storedAt: number }> {
  const publishedAt = new Float64Array(count);
  let outstanding = 0;
  let next = 0;
  let failures = 0;
  let wake: (() => void) | undefined;
  const settle = () => {
    outstanding--;
    const w = wake;
    wake = undefined;
    w?.();
  };
  const one = (i: number) => {
    publishedAt[i] = nowMs();
    outstanding++;
    ctx.events.publish({ instance, event: 'message.exchange', data: incomingMessage(tag, i) }).then(settle, () => {
      failures++;
      settle();
    });
  };
  if (opts.rate) {
    const started = nowMs();
    await new Promise<void>((resolve) => {
      const tick = () => {
        const due = Math.min(count, Math.floor(((nowMs() - started) * opts.rate!) / 1000) + 1);
        while (next < due) one(next++);
        if (next < count) setTimeout(tick, 1);
        else resolve();
      };
      tick();
    });
  } else {
    const limit = opts.inFlight ?? Infinity;
    while (next < count) {
      while (outstanding < limit && next < count) one(next++);
      if (next < count) await new Promise<void>((r) => (wake = r));
    }
  }
  while (outstanding > 0) await new Promise<void>((r) => (wake = r));
  if (failures) throw new Error(`${failures} publishes failed`);
  return { publishedAt, storedAt: nowMs() };
}

/** Connects a consuming client, publishes, and waits until the client has every event. */
async function relay(ctx: Ctx, label: string, count: number, opts: { inFlight?: number; rate?: number }) {
  const [instance] = await createInstances(ctx, [`${ctx.runTag}-${label}`], 1);
  const tag = ctx.nextTag++;
  let hello!: () => void;
  const helloSeen = new Promise<void>((r) => (hello = r));
  const consumed = ctx.client.run<ConsumeResult>({ cmd: 'consume', wsUrl: ctx.wsUrl, bridgeToken: ctx.bridgeToken, name: instance.name, expect: count, tag }, (what) => what === 'hello' && hello());
  await Promise.race([helloSeen, consumed]);
  const pids = await backendPids(ctx);
  ctx.sql.take();
  const cpuStart = cpuSample();
  const { publishedAt, storedAt } = await publish(ctx, instance, tag, count, opts);
  const result = await consumed;
  await ctx.hub.acksSettled(instance.id);
  const sql = sqlPerEvent(ctx.sql.take(), count);
  const cpu = cpuSince(cpuStart, result.cpuMicros, count, union(pids, await backendPids(ctx)));
  const latencies = result.received.map((at, i) => at - publishedAt[i]);
  const seconds = (result.lastAt - publishedAt[0]) / 1000;
  const lat = percentiles(latencies);
  return {
    instance,
    events: count,
    events_per_s: Math.round(count / seconds),
    seconds: round(seconds, 2),
    stored_per_s: Math.round(count / ((storedAt - publishedAt[0]) / 1000)),
    latency_ms: lat,
    frames_received: result.frames,
    acks_sent: result.acksSent,
    duplicates: result.duplicates,
    gaps: result.gaps,
    cpu_pct: cpu,
    sql,
  };
}

/** Rows/s of multi-row INSERTs of the same rows (same table, columns and payload) on the same database. */
async function storageCeiling(ctx: Ctx, label: string, rows: number, batch: number) {
  const [instance] = await createInstances(ctx, [`${ctx.runTag}-${label}`], 1);
  const tag = ctx.nextTag++;
  const values = Array.from({ length: batch }, (_, j) => `($1, $${2 * j + 2}, 'message.exchange', $${2 * j + 3}::jsonb)`).join(', ');
  const sql = `INSERT INTO chatwoot_events (instance_id, seq, event, data) VALUES ${values}`;
  let elapsed = 0;
  const cpuStart = cpuSample();
  for (let start = 0; start < rows; start += batch) {
    const params: unknown[] = [instance.id];
    for (let i = start; i < start + batch; i++) params.push(i + 1, JSON.stringify(incomingMessage(tag, i)));
    const t = nowMs();
    await ctx.db.query(sql, params);
    elapsed += nowMs() - t;
  }
  const cpu = cpuSince(cpuStart, 0);
  const [{ bytes }] = await ctx.db.query(`SELECT avg(pg_column_size(data))::int AS bytes FROM chatwoot_events WHERE instance_id = $1`, [instance.id]);
  await ctx.db.query(`DELETE FROM chatwoot_events WHERE instance_id = $1`, [instance.id]);
  return { rows, batch, rows_per_s: Math.round(rows / (elapsed / 1000)), seconds: round(elapsed / 1000, 2), stored_jsonb_bytes_per_row: bytes, cpu_pct: cpu };
}

/**
 * The fixed load's schedule of publishes for an instance with no integration: nothing is stored or
 * sent. What the server spends here is the load itself (a timer wake per millisecond, the publish
 * calls), not the relay: the part of the steady figure no relay change can remove.
 */
async function fixedFloor(ctx: Ctx, count: number, rate: number) {
  const instance = { id: randomUUID(), name: `${ctx.runTag}-floor` };
  await ctx.events.publish({ instance, event: 'message.exchange', data: incomingMessage(0, 0) });
  const cpuStart = cpuSample();
  await publish(ctx, instance, ctx.nextTag++, count, { rate });
  return { events: count, offered_per_s: rate, cpu_pct: cpuSince(cpuStart, 0, count) };
}

async function replay(ctx: Ctx, count: number) {
  const [instance] = await createInstances(ctx, [`${ctx.runTag}-replay`], 1);
  const tag = ctx.nextTag++;
  const { publishedAt, storedAt } = await publish(ctx, instance, tag, count, { inFlight: P.inFlight });
  const backlogSeconds = (storedAt - publishedAt[0]) / 1000;
  log(`replay: ${count} events stored in ${backlogSeconds.toFixed(1)} s with no client; connecting`);
  const pids = await backendPids(ctx);
  ctx.sql.take();
  const cpuStart = cpuSample();
  const result = await ctx.client.run<ConsumeResult>({ cmd: 'consume', wsUrl: ctx.wsUrl, bridgeToken: ctx.bridgeToken, name: instance.name, expect: count, tag });
  const cpu = cpuSince(cpuStart, result.cpuMicros, count, union(pids, await backendPids(ctx)));
  const seconds = (result.lastAt - result.connectStartedAt) / 1000;
  const acksStart = nowMs();
  await ctx.hub.acksSettled(instance.id);
  const sql = sqlPerEvent(ctx.sql.take(), count);
  const [{ n }] = await ctx.db.query(`SELECT count(*)::int AS n FROM chatwoot_events WHERE instance_id = $1`, [instance.id]);
  return {
    events: count,
    seconds: round(seconds, 2),
    events_per_s: Math.round(count / seconds),
    hello_ms: round(result.helloAt - result.connectStartedAt, 1),
    acks_settled_after_ms: round(nowMs() - acksStart, 1),
    left_in_outbox: n,
    duplicates: result.duplicates,
    gaps: result.gaps,
    backlog_stored_per_s: Math.round(count / backlogSeconds),
    cpu_pct: cpu,
    sql,
    target_s: TARGETS.replaySeconds,
    met: seconds < TARGETS.replaySeconds && result.gaps === 0,
  };
}

/** The embedded database's WebAssembly heap (part of this process's RSS); undefined on PostgreSQL. */
async function pgliteHeapBytes(): Promise<number | undefined> {
  if (process.env.DATABASE_URL?.trim()) return undefined;
  const { getPGliteInstance } = await import('typeorm-pglite');
  const pglite = (await getPGliteInstance()) as unknown as { mod?: { HEAPU8?: Uint8Array } };
  return pglite.mod?.HEAPU8?.byteLength;
}

async function memory(ctx: Ctx, sockets: number) {
  const names = Array.from({ length: sockets }, (_, i) => `${ctx.runTag}-m${i}`);
  const t = nowMs();
  await createInstances(ctx, names, 16);
  const createSeconds = (nowMs() - t) / 1000;
  log(`memory: ${sockets} instances with integrations created in ${createSeconds.toFixed(1)} s`);
  const before = await settledRss();
  const t2 = nowMs();
  const { connected, rssBytes: clientRss } = await ctx.client.run<{ connected: number; rssBytes: number }>({
    cmd: 'connectMany', wsUrl: ctx.wsUrl, bridgeToken: ctx.bridgeToken, names, concurrency: 50,
  });
  const connectSeconds = (nowMs() - t2) / 1000;
  const after = await settledRss();
  const live = ctx.hub.size;
  const pglite = await pgliteHeapBytes();
  log(`memory: ${connected} sockets connected in ${connectSeconds.toFixed(1)} s; server RSS ${mib(before.rss)} -> ${mib(after.rss)} MiB`);
  await ctx.client.run({ cmd: 'closeMany' });
  return {
    sockets: connected,
    live_in_hub: live,
    clients: 'separate process (node:child_process fork); RSS is the server process alone',
    gc: !!gc,
    instances_created_s: round(createSeconds, 1),
    sockets_connected_s: round(connectSeconds, 2),
    rss_before_mib: mib(before.rss),
    rss_after_mib: mib(after.rss),
    heap_used_before_mib: mib(before.heapUsed),
    heap_used_after_mib: mib(after.heapUsed),
    per_socket_kib: round((after.rss - before.rss) / 1024 / connected, 1),
    heap_per_socket_kib: round((after.heapUsed - before.heapUsed) / 1024 / connected, 1),
    client_process_rss_mib: mib(clientRss),
    ...(pglite !== undefined && {
      embedded_database: 'PGlite runs inside this process: its WebAssembly heap and compiled code are part of the RSS',
      pglite_wasm_heap_mib: mib(pglite),
    }),
    target_total_rss_mib: TARGETS.socketsRssMiB,
    met: after.rss < TARGETS.socketsRssMiB * 1024 * 1024,
  };
}

let phase = 'start';
const setPhase = (name: string) => {
  phase = name;
  log(name);
};

async function main(): Promise<void> {
  const t0 = nowMs();
  const databaseUrl = process.env.DATABASE_URL?.trim();
  const dataDir = databaseUrl ? undefined : mkdtempSync(join(tmpdir(), 'ryze-bench-'));
  const limitS = num('BENCH_TIMEOUT_S', 600);
  setTimeout(() => {
    console.error(`[bench] gave up after ${limitS} s during: ${phase}`);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    process.exit(1);
  }, limitS * 1000).unref();
  const bridgeToken = randomBytes(16).toString('hex');
  const client = new ClientProcess({ BENCH_BRIDGE_TOKEN: bridgeToken });
  let app: NestExpressApplication | undefined;
  let appB: NestExpressApplication | undefined;
  let accountId: string | undefined;
  const output: Record<string, unknown> = {};
  try {
    const { bridgeUrl } = await client.ready;
    const config = loadConfig({
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '100000000',
      RATE_LIMIT_INSTANCE_NEW_PER_MINUTE: '100000000',
      BRIDGE_URL: bridgeUrl,
      BRIDGE_TOKEN: bridgeToken,
      ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
      BRIDGE_WINDOW: process.env.BRIDGE_WINDOW ?? '1000',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: dataDir }),
    });
    log(`starting the app on ${databaseUrl ? 'PostgreSQL' : `PGlite in ${dataDir}`}`);
    app = await createApp(config, { logStream: process.stderr });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    const account = await app.get(AccountsService).create('bench');
    accountId = account.id;
    const db = app.get(DataSource);
    const [{ version }] = await db.query(`SELECT version()`);
    const sql = traceQueries(db, process.env.BENCH_TRACE_SQL);
    const ctx: Ctx = {
      app, db, client, bridgeToken,
      events: app.get(EngineEvents),
      hub: app.get(ChannelHub),
      url: `http://127.0.0.1:${port}`,
      wsUrl: `ws://127.0.0.1:${port}`,
      accountToken: account.token,
      runTag: `b${randomBytes(3).toString('hex')}`,
      nextTag: 1,
      sql,
    };
    Object.assign(output, {
      database: databaseUrl ? 'postgresql' : 'pglite',
      database_version: String(version).split(' on ')[0],
      quick: QUICK,
      node: process.version,
      cpus: cpus().length,
      window: config.channel.window,
      log_level: config.logLevel,
      load_average_at_start: loadavg().map((l) => round(l, 2)),
    });

    let mem, max, fixed, rep;
    let ceiling: Record<string, unknown> & { rows_per_s: number } | undefined;
    if (ONLY.has('memory')) {
      setPhase(`memory: creating ${P.sockets} instances and connecting ${P.sockets} bridge sockets`);
      mem = await memory(ctx, P.sockets);
    }

    // The ceiling is measured just before and just after the max-throughput relay, and averaged, so
    // that a change in the machine's load (other programs) weighs on both sides of the ratio alike.
    const ceilings: Awaited<ReturnType<typeof storageCeiling>>[] = [];
    const measureCeiling = async (when: string) => {
      setPhase(`storage ceiling (${when}): ${P.relayEvents} rows in INSERTs of ${P.ceilingBatch}`);
      const c = await storageCeiling(ctx, `ceiling-${when}`, P.relayEvents, P.ceilingBatch);
      log(`storage ceiling (${when}): ${c.rows_per_s} rows/s`);
      ceilings.push(c);
    };
    if (ONLY.has('ceiling')) await measureCeiling('before');
    if (ONLY.has('max')) {
      setPhase(`relay (max throughput): ${P.relayEvents} events, ${P.inFlight} publishes in flight`);
      max = await profiled('relay-max', () => relay(ctx, 'relay-max', P.relayEvents, { inFlight: P.inFlight }));
      log(`relay (max throughput): ${max.events_per_s} events/s, p50 ${max.latency_ms.p50} ms, p99 ${max.latency_ms.p99} ms`);
    }
    if (ONLY.has('ceiling')) await measureCeiling('after');
    if (ceilings.length) {
      const rowsPerS = Math.round(ceilings.reduce((a, c) => a + c.rows_per_s, 0) / ceilings.length);
      ceiling = { ...ceilings[0], rows_per_s: rowsPerS, runs_rows_per_s: ceilings.map((c) => c.rows_per_s), cpu_pct: ceilings.map((c) => c.cpu_pct) };
    }
    if (ONLY.has('fixed')) {
      const fixedCount = P.fixedRate * P.fixedSeconds;
      setPhase(`relay (fixed load): ${P.fixedRate} events/s for ${P.fixedSeconds} s`);
      fixed = await profiled('relay-fixed', () => relay(ctx, 'relay-fixed', fixedCount, { rate: P.fixedRate }));
      log(`relay (fixed load): p50 ${fixed.latency_ms.p50} ms, p99 ${fixed.latency_ms.p99} ms`);
    }
    let floor;
    if (ONLY.has('floor')) {
      setPhase(`fixed load with nothing behind it: ${P.fixedRate} publishes/s for ${P.fixedSeconds} s to an instance without integration`);
      floor = await fixedFloor(ctx, P.fixedRate * P.fixedSeconds, P.fixedRate);
      log(`fixed load with nothing behind it: ${floor.cpu_pct.server_us_per_event} us per event`);
    }
    if (ONLY.has('replay')) {
      setPhase(`replay: publishing a backlog of ${P.replayEvents} events`);
      rep = await profiled('replay', () => replay(ctx, P.replayEvents));
      log(`replay: ${rep.events} events in ${rep.seconds} s`);
    }

    // Two nodes (PostgreSQL only): events published through this app (node A), the bridge socket on
    // a second app (node B) on the same database; B is woken by A's notifications.
    let two: Record<string, unknown> | undefined;
    if (ONLY.has('nodes') && databaseUrl) {
      setPhase('two nodes: starting node B on the same database');
      appB = await createApp({ ...config, nodeId: `${config.nodeId}-b` }, { logStream: process.stderr });
      await appB.listen(0, '127.0.0.1');
      const ctxB: Ctx = { ...ctx, hub: appB.get(ChannelHub), wsUrl: `ws://127.0.0.1:${(appB.getHttpServer().address() as AddressInfo).port}` };
      setPhase(`two nodes (max throughput): ${P.relayEvents} events published on A, the socket on B`);
      const twoMax = await relay(ctxB, 'nodes-max', P.relayEvents, { inFlight: P.inFlight });
      log(`two nodes (max throughput): ${twoMax.events_per_s} events/s`);
      setPhase(`two nodes (fixed load): ${P.fixedRate} events/s for ${P.fixedSeconds} s`);
      const twoFixed = await relay(ctxB, 'nodes-fixed', P.fixedRate * P.fixedSeconds, { rate: P.fixedRate });
      log(`two nodes (fixed load): p50 ${twoFixed.latency_ms.p50} ms, p99 ${twoFixed.latency_ms.p99} ms`);
      const over = max ? twoMax.events_per_s / max.events_per_s : NaN;
      two = {
        max_throughput: { ...twoMax, instance: undefined, in_flight_publishes: P.inFlight },
        fixed_load: { ...twoFixed, instance: undefined, offered_per_s: P.fixedRate },
        relay_vs_single_node: { ratio: round(over, 3), target: `>= ${TARGETS.twoNodesOverOne}`, met: over >= TARGETS.twoNodesOverOne },
        fixed_p99: { p99_ms: twoFixed.latency_ms.p99, target: `< ${TARGETS.twoNodesP99Ms}`, met: twoFixed.latency_ms.p99 < TARGETS.twoNodesP99Ms },
      };
    }

    const ratio = max && ceiling ? max.events_per_s / ceiling.rows_per_s : NaN;
    const maxCost = max?.cpu_pct.server_db_us_per_event ?? NaN;
    const steadyCost = fixed?.cpu_pct.server_db_us_per_event ?? NaN;
    Object.assign(output, {
      relay: {
        max_throughput: max && { ...max, instance: undefined, in_flight_publishes: P.inFlight },
        fixed_load: fixed && { ...fixed, instance: undefined, offered_per_s: P.fixedRate },
        note: 'latency: EngineEvents.publish called -> event frame received and parsed by the client (another process, same monotonic clock)',
      },
      fixed_floor: floor,
      storage_ceiling: ceiling,
      steady_vs_max: {
        note: 'server + database CPU per event (with PostgreSQL: its backends serving this database)',
        max_throughput_us_per_event: maxCost,
        steady_us_per_event: steadyCost,
        ratio: round(steadyCost / maxCost, 2),
        target: `<= ${TARGETS.steadyOverMaxCost}`,
        steady_p99_ms: fixed?.latency_ms.p99,
        p99_target_ms: `< ${TARGETS.steadyP99Ms}`,
        statements_per_event: { max_throughput: max?.sql.per_event, steady: fixed?.sql.per_event, replay: rep?.sql.per_event },
        load_alone_us_per_event: floor?.cpu_pct.server_us_per_event,
        load_alone_note: 'the same schedule of publishes to an instance without integration (fixed_floor): the cost of the load itself, a timer wake per millisecond',
        met: steadyCost / maxCost <= TARGETS.steadyOverMaxCost && (fixed?.latency_ms.p99 ?? Infinity) < TARGETS.steadyP99Ms,
      },
      relay_vs_ceiling: { relay_events_per_s: max?.events_per_s, ceiling_rows_per_s: ceiling?.rows_per_s, ratio: round(ratio, 3), target: `>= ${TARGETS.relayOverCeiling}`, met: ratio >= TARGETS.relayOverCeiling },
      replay: rep,
      memory: mem,
      two_nodes: two,
    });
  } finally {
    if (app && accountId) await app.get(DataSource).query(`DELETE FROM accounts WHERE id = $1`, [accountId]).catch(() => undefined);
    await client.stop().catch(() => undefined);
    await appB?.close();
    await app?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
  output.duration_s = round((nowMs() - t0) / 1000, 1);
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error('[bench] failed:', error);
    process.exit(1);
  },
);
