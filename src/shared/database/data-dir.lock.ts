import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The embedded database's folder is held by another live process. */
export class DataDirInUseError extends Error {
  /** Another host (container): whether its process still runs cannot be checked from here. */
  readonly elsewhere: boolean;

  constructor(
    readonly dir: string,
    readonly pid: number,
    readonly host: string,
    readonly file: string,
  ) {
    const elsewhere = host !== hostname();
    super(
      `DATA_DIR ${dir} is in use by process ${pid}${elsewhere ? ` on host ${host}` : ''}: stop it first (the embedded database allows one process at a time)` +
        (elsewhere ? `; if that process no longer runs, delete ${file}` : ''),
    );
    this.name = 'DataDirInUseError';
    this.elsewhere = elsewhere;
  }
}

/**
 * The embedded database belongs to one process: two processes writing one PGlite folder corrupt
 * it. A pid file (pid and host name: containers sharing a volume have their own pid numbers)
 * guards the folder; a stale one (its process gone, on this host) is taken over. Returns the
 * release, also run at exit.
 */
export function lockDataDir(dir: string): () => void {
  const file = join(dir, 'ryzeapi.pid');
  try {
    closeSync(openSync(file, 'wx'));
  } catch {
    const [pidLine, host = hostname()] = readFileSync(file, 'utf8').trim().split('\n');
    const owner = Number(pidLine);
    if (owner && host !== hostname()) throw new DataDirInUseError(dir, owner, host, file);
    if (owner && owner !== process.pid && isAlive(owner)) throw new DataDirInUseError(dir, owner, host, file);
  }
  writeFileSync(file, `${process.pid}\n${hostname()}\n`);
  const release = () => rmSync(file, { force: true });
  process.once('exit', release);
  return release;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
