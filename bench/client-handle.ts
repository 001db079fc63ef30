import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClientCommand, ClientReply } from './protocol.js';

type Command = ClientCommand extends infer C ? (C extends ClientCommand ? Omit<C, 'id'> : never) : never;

/** The driver's side of the client process (bench/client.ts), over IPC. */
export class ClientProcess {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void; progress?: (what: string) => void }>();
  private nextId = 1;
  readonly ready: Promise<{ bridgeUrl: string }>;

  constructor(env: Record<string, string>) {
    this.child = fork(fileURLToPath(new URL('./client.js', import.meta.url)), [], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 2, 2, 'ipc'],
      serialization: 'advanced',
    });
    this.ready = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('exit', (code) => {
        const error = new Error(`client process exited with ${code}`);
        reject(error);
        for (const p of this.pending.values()) p.reject(error);
        this.pending.clear();
      });
      this.child.on('message', (reply: ClientReply) => {
        if (reply.type === 'ready') return resolve({ bridgeUrl: reply.bridgeUrl });
        const p = this.pending.get(reply.id);
        if (!p) return;
        if (reply.type === 'progress') return p.progress?.(reply.what);
        this.pending.delete(reply.id);
        if (reply.error) p.reject(new Error(`client: ${reply.error}`));
        else p.resolve(reply.result);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  run<T = any>(command: Command, progress?: (what: string) => void): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, progress });
      this.child.send({ ...command, id } as ClientCommand);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await Promise.race([this.run({ cmd: 'stop' }).catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
    const timer = setTimeout(() => this.child.kill(), 5000);
    await exited;
    clearTimeout(timer);
  }
}
