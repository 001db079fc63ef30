import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { round } from './stats.js';

interface Sample {
  at: number;
  machineBusy: number;
  machineTotal: number;
  self: NodeJS.CpuUsage;
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
  return { at: performance.now(), machineBusy: m.busy, machineTotal: m.total, self: process.cpuUsage() };
}

/**
 * Where the CPU went between two samples, in percent of ONE core (so up to 100 x cores): this
 * process (the server), the client process (its own cpuUsage, in microseconds), and everything
 * else on the machine (the PostgreSQL server, other programs).
 */
export function cpuSince(start: Sample, clientMicros: number) {
  const end = cpuSample();
  const wallMs = end.at - start.at;
  const cores = cpus().length;
  const machinePct = end.machineTotal > start.machineTotal ? ((end.machineBusy - start.machineBusy) / (end.machineTotal - start.machineTotal)) * 100 * cores : NaN;
  const serverPct = ((end.self.user - start.self.user + end.self.system - start.self.system) / 1000 / wallMs) * 100;
  const clientPct = (clientMicros / 1000 / wallMs) * 100;
  return {
    cores,
    machine_pct: round(machinePct, 0),
    server_process_pct: round(serverPct, 0),
    client_process_pct: round(clientPct, 0),
    other_pct: round(machinePct - serverPct - clientPct, 0),
  };
}
