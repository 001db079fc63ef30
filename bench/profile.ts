import { writeFileSync, mkdirSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { log } from './stats.js';

/** BENCH_PROFILE=<dir>: a CPU profile of the server process for each phase, as <dir>/<phase>.cpuprofile. */
export async function profiled<T>(phase: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${phase}.cpuprofile`), JSON.stringify(profile));
    log(`profile of ${phase} written to ${join(dir, `${phase}.cpuprofile`)}`);
    session.disconnect();
  }
}
