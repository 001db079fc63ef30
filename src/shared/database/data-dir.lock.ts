import { openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The embedded database belongs to one process: two processes writing one PGlite folder corrupt
 * it. A pid file guards the folder; a stale one (its process gone) is taken over.
 */
export function lockDataDir(dir: string): void {
  const file = join(dir, 'ryzeapi.pid');
  try {
    closeSync(openSync(file, 'wx'));
  } catch {
    const owner = Number(readFileSync(file, 'utf8').trim());
    if (owner && owner !== process.pid && isAlive(owner)) {
      throw new Error(`DATA_DIR ${dir} is in use by process ${owner}: stop it first (the embedded database allows one process at a time)`);
    }
  }
  writeFileSync(file, String(process.pid));
  process.once('exit', () => rmSync(file, { force: true }));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
