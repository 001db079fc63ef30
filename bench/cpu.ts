import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { round } from './stats.js';

interface Sample {
  at: number;
  machineBusy: number;
  machineTotal: number;
  self: NodeJS.CpuUsage;
  /** CPU ticks of every `postgres` process (server, backends, autovacuum), by pid. */
  postgres: Map<number, number>;
}

/** CPU ticks (user + system) of each process named `postgres` on this machine (Linux /proc). */
function postgresTicks(): Map<number, number> {
  const ticks = new Map<number, number>();
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const close = stat.lastIndexOf(')');
        if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
        const fields = stat.slice(close + 2).split(' ');
        ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return ticks;
}

/** Busy and total CPU time of the whole machine (all cores), in clock ticks; zeros where /proc is missing. */
function machine(): { busy: number; total: number } {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const n = fields.map(Number);
    const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = n[3] + (n[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

export function cpuSample(): Sample {
  const m = machine();
  return { at: performance.now(), machineBusy: m.busy, machineTotal: m.total, self: process.cpuUsage(), postgres: postgresTicks() };
}

/**
 * Where the CPU went between two samples, in percent of ONE core (so up to 100 x cores): this
 * process (the server), the client process (its own cpuUsage, in microseconds), the `postgres`
 * processes serving the benchmark's database (`ownPids`: its backends, as pg_stat_activity lists
 * them; `postgres_all_pct` counts every `postgres` process, other databases included), and the rest
 * of the machine (other programs: a high `other_pct` means the figures were disturbed).
 * `server_db_us_per_event` is the server's CPU plus its database's (with PGlite, the same process).
 */
export function cpuSince(start: Sample, clientMicros: number, events = 0, ownPids?: Set<number>) {
  const end = cpuSample();
  const wallMs = end.at - start.at;
  const cores = cpus().length;
  const machinePct = end.machineTotal > start.machineTotal ? ((end.machineBusy - start.machineBusy) / (end.machineTotal - start.machineTotal)) * 100 * cores : NaN;
  const serverPct = ((end.self.user - start.self.user + end.self.system - start.self.system) / 1000 / wallMs) * 100;
  const clientPct = (clientMicros / 1000 / wallMs) * 100;
  // Ticks are 1/100 s on Linux; a backend that started during the phase counts from zero.
  // Counted apart only when the benchmark uses a PostgreSQL server; with PGlite they are "other".
  const external = !!process.env.DATABASE_URL?.trim();
  let allTicks = 0;
  let pgTicks = 0;
  if (external) {
    for (const [pid, t] of end.postgres) {
      const ticks = t - (start.postgres.get(pid) ?? 0);
      allTicks += ticks;
      if (!ownPids || ownPids.has(pid)) pgTicks += ticks;
    }
  }
  const postgresPct = ((pgTicks * 10) / wallMs) * 100;
  const allPct = ((allTicks * 10) / wallMs) * 100;
  const serverMicros = end.self.user - start.self.user + end.self.system - start.self.system;
  return {
    cores,
    machine_pct: round(machinePct, 0),
    server_process_pct: round(serverPct, 0),
    client_process_pct: round(clientPct, 0),
    ...(external && { postgres_pct: round(postgresPct, 0), postgres_all_pct: round(allPct, 0) }),
    other_pct: round(machinePct - serverPct - clientPct - allPct, 0),
    ...(events > 0 && {
      server_us_per_event: round(serverMicros / events, 1),
      client_us_per_event: round(clientMicros / events, 1),
      ...(external && { postgres_us_per_event: round((pgTicks * 10_000) / events, 1) }),
      server_db_us_per_event: round((serverMicros + pgTicks * 10_000) / events, 1),
    }),
  };
}
