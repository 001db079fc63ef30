import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { capturedLogs } from './leak-guard.js';

export const ROOT = resolve(import.meta.dirname, '../..');
/** The compiled service, as `npm start` and the Docker image run it (dist/ is built by `npm test`). */
export const MAIN = resolve(ROOT, 'dist/src/ryzeapi/main.js');

/**
 * The service as an operator runs it: a child process on `env` only (plus PATH), its output
 * collected line by line (and scanned by the leak guard).
 */
const running = new Set<ChildProcess>();

// A test that failed half-way must not leave its service running (and Jest waiting on it).
(globalThis as { afterAll?: (fn: () => void) => void }).afterAll?.(() => running.forEach((child) => child.kill('SIGKILL')));

export class ServiceProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private waiters: (() => void)[] = [];

  constructor(env: Record<string, string>, args: string[] = [MAIN]) {
    this.child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.collect(this.child.stdout!, this.stdout);
    this.collect(this.child.stderr!, this.stderr);
    running.add(this.child);
    // 'close', not 'exit': the process can exit before its last output lines are read.
    this.exited = new Promise((done) =>
      this.child.on('close', (code, signal) => {
        running.delete(this.child);
        done({ code, signal });
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Every stdout line parsed as JSON (the log), non-JSON lines skipped. */
  logLines(): Record<string, unknown>[] {
    return this.stdout.flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    });
  }

  /** Resolves with the first stdout line matching `pattern`; fails after `timeoutMs` or if the process exits first. */
  async waitForLine(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      const found = this.stdout.find((line) => pattern.test(line));
      if (found) return found;
      if (exited) throw new Error(`the service exited before printing ${pattern}:\n${[...this.stdout, ...this.stderr].join('\n')}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${[...this.stdout, ...this.stderr].join('\n')}`);
      await new Promise<void>((wake) => {
        this.waiters.push(wake);
        setTimeout(wake, 100);
      });
    }
  }

  stop(signal: NodeJS.Signals = 'SIGTERM') {
    this.child.kill(signal);
    return this.exited;
  }

  private collect(stream: NodeJS.ReadableStream, into: string[]): void {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      into.push(...lines);
      capturedLogs.push(...lines);
      this.waiters.splice(0).forEach((wake) => wake());
    });
    stream.on('end', () => {
      if (partial) into.push(partial);
      if (partial) capturedLogs.push(partial);
    });
  }
}

/** A loopback port nothing listens on right now (for a service process's PORT). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
