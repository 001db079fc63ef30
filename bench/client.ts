/**
 * The benchmark's client process: the bridge's side of things. It runs the fake bridge HTTP API,
 * makes the REST calls that create instances and integrations, and opens the bridge WebSockets,
 * so that the driver process measures the server alone.
 */
import { WebSocket } from 'ws';
import { parseRyzeApiFrame, type AckFrame } from '../src/shared/protocol/channel.frames.js';
import { FakeBridge } from '../test/support/fake-bridge.js';
import { indexOf } from './payload.js';
import type { ClientCommand, ClientReply, ConsumeResult } from './protocol.js';
import { nowMs } from './stats.js';

const send = (reply: ClientReply) => process.send!(reply);
let sockets: WebSocket[] = [];

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

async function createInstances(c: Extract<ClientCommand, { cmd: 'createInstances' }>, bridgeUrl: string): Promise<void> {
  await pool(c.names, c.concurrency, async (name) => {
    const res = await fetch(`${c.baseUrl}/api/instance/new`, {
      method: 'POST',
      headers: { token: c.token, 'content-type': 'application/json' },
      body: JSON.stringify({
        name,
        chatwootEnabled: true,
        chatwootBaseUrl: 'https://chatwoot.example.com',
        chatwootAccountId: 1,
        chatwootApiToken: `cw-token-${name}`,
      }),
    });
    const body = (await res.json()) as { chatwoot?: { status: string; error?: string } };
    if (res.status !== 201 || body.chatwoot?.status !== 'active') {
      throw new Error(`creating ${name} failed: ${res.status} ${JSON.stringify(body)} (bridge ${bridgeUrl})`);
    }
  });
}

function open(url: string, token: string, onHello?: () => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`${url}: HTTP ${res.statusCode}`)));
    ws.once('error', reject);
    ws.once('message', () => {
      onHello?.();
      resolve(ws);
    });
  });
}

async function connectMany(c: Extract<ClientCommand, { cmd: 'connectMany' }>): Promise<{ connected: number }> {
  await pool(c.names, c.concurrency, async (name) => {
    sockets.push(await open(`${c.wsUrl}/ws/chatwoot/${name}`, c.bridgeToken));
  });
  return { connected: sockets.length };
}

async function closeMany(): Promise<{ closed: number }> {
  const all = sockets;
  sockets = [];
  await Promise.all(
    all.map((ws) => new Promise<void>((resolve) => {
      if (ws.readyState === ws.CLOSED) return resolve();
      ws.once('close', () => resolve());
      ws.close(1000, 'bench done');
    })),
  );
  return { closed: all.length };
}

/** One bridge: parses every frame, acks the highest seq once per burst of frames, stops at `expect` events. */
function consume(c: Extract<ClientCommand, { cmd: 'consume' }>): Promise<ConsumeResult> {
  const result: ConsumeResult = {
    received: new Float64Array(c.expect).fill(NaN),
    connectStartedAt: nowMs(),
    helloAt: NaN,
    lastAt: NaN,
    frames: 0,
    acksSent: 0,
    duplicates: 0,
    gaps: 0,
    cpuMicros: 0,
  };
  const cpuStart = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${c.wsUrl}/ws/chatwoot/${c.name}`, { headers: { Authorization: `Bearer ${c.bridgeToken}` }, perMessageDeflate: false });
    let highest = 0;
    let acked = 0;
    let count = 0;
    let ackScheduled = false;
    const ack = () => {
      ackScheduled = false;
      if (highest > acked && ws.readyState === ws.OPEN) {
        ws.send(JSON.stringify({ type: 'ack', seq: highest } satisfies AckFrame));
        acked = highest;
        result.acksSent++;
      }
    };
    ws.once('unexpected-response', (_req, res) => reject(new Error(`consume ${c.name}: HTTP ${res.statusCode}`)));
    ws.once('error', reject);
    ws.on('message', (raw) => {
      const at = nowMs();
      result.frames++;
      const frame = parseRyzeApiFrame(raw.toString());
      if (frame?.type === 'hello') {
        result.helloAt = at;
        highest = acked = frame.last_acked_seq;
        send({ type: 'progress', id: c.id, what: 'hello' });
        return;
      }
      if (frame?.type !== 'event') return;
      if (frame.seq <= highest) {
        result.duplicates++;
        return;
      }
      if (frame.seq !== highest + 1) result.gaps++;
      highest = frame.seq;
      const index = frame.event === 'message.exchange' ? indexOf(frame.data.message.id) : -1;
      if (Number.isNaN(result.received[index])) {
        result.received[index] = at;
        count++;
      }
      if (count === c.expect) {
        result.lastAt = at;
        const cpu = process.cpuUsage(cpuStart);
        result.cpuMicros = cpu.user + cpu.system;
        ack();
        ws.close(1000, 'bench done');
        ws.once('close', () => resolve(result));
        return;
      }
      if (!ackScheduled) {
        ackScheduled = true;
        setImmediate(ack);
      }
    });
  });
}

async function main(): Promise<void> {
  const bridge = await new FakeBridge(process.env.BENCH_BRIDGE_TOKEN).start();
  bridge.requests.length = 0;
  process.on('message', async (c: ClientCommand) => {
    try {
      let result: unknown;
      switch (c.cmd) {
        case 'createInstances':
          await createInstances(c, bridge.url);
          bridge.requests.length = 0;
          break;
        case 'connectMany':
          result = await connectMany(c);
          break;
        case 'closeMany':
          result = await closeMany();
          break;
        case 'consume':
          result = await consume(c);
          break;
        case 'stop':
          await closeMany();
          await bridge.stop();
          send({ type: 'done', id: c.id });
          process.disconnect();
          return;
      }
      send({ type: 'done', id: c.id, result: { ...(result as object), rssBytes: process.memoryUsage().rss } });
    } catch (error) {
      send({ type: 'done', id: c.id, error: (error as Error).stack ?? String(error) });
    }
  });
  // The driver is gone (it exited or was killed): nothing left to serve.
  process.once('disconnect', () => process.exit(0));
  send({ type: 'ready', bridgeUrl: bridge.url });
}

void main();
