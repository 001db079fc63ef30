/**
 * Fuzzed frames on one instance's bridge socket: random JSON, wrong types, huge strings, binary
 * and invalid UTF-8 frames, and fuzzed handshakes. The service never crashes, the fuzzed socket
 * stays open except where the protocol closes it (1009 over the size limit, 1007 for invalid
 * UTF-8 text), and other instances' sockets are never touched.
 *
 * FUZZ_SEED=<n> replays a run.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bridgeEnv, createIntegration, openRaw, prng, RawBridge, upgradeRefusal, waitFor, within, type Integration } from '../support/channel-helpers.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { api } from '../support/http.js';
import { capturedLogs, startApp, type TestApp } from '../support/test-app.js';

const MAX_FRAME = 16 * 1024;
const FRAMES = 600;

type Fuzzed = { label: string; data: string | Buffer; binary: boolean; expect: 'open' | 1009 | 1007 };

/** Random values of every JSON type, sometimes nested. */
function jsonValue(r: () => number, depth = 0): unknown {
  const pick = Math.floor(r() * (depth > 2 ? 6 : 8));
  switch (pick) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return [0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, Math.floor(r() * 1e6)][Math.floor(r() * 7)];
    case 3: return randomString(r, Math.floor(r() * 40));
    case 4: return '';
    case 5: return ['ack', 'send', 'hello', 'event', 'result', 'error', 'ACK', ' send'][Math.floor(r() * 8)];
    case 6: return Array.from({ length: Math.floor(r() * 4) }, () => jsonValue(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: Math.floor(r() * 5) }, () => [randomKey(r), jsonValue(r, depth + 1)]));
  }
}

const KEYS = ['type', 'seq', 'id', 'to', 'text', 'media', 'reply_to', 'sender_name', 'url', 'caption', '__proto__', 'constructor'];
const randomKey = (r: () => number) => (r() < 0.8 ? KEYS[Math.floor(r() * KEYS.length)] : randomString(r, 6));

function randomString(r: () => number, length: number): string {
  const alphabets = ['abcdefghijklmnopqrstuvwxyz0123456789', '"\\\n\t{}[]:,', 'çãéñ漢字🙂\u0000\u2028', '5511999999999@g.us.-'];
  const alphabet = [...alphabets[Math.floor(r() * alphabets.length)]];
  return Array.from({ length }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
}

function fuzzFrame(r: () => number): Fuzzed {
  const text = (label: string, value: unknown): Fuzzed => {
    const data = typeof value === 'string' ? value : JSON.stringify(value);
    return { label, data, binary: false, expect: Buffer.byteLength(data) > MAX_FRAME ? 1009 : 'open' };
  };
  const kind = Math.floor(r() * 9);
  switch (kind) {
    case 0: return text('random JSON', jsonValue(r));
    case 1: return text('random object with a type', { type: jsonValue(r), ...(jsonValue(r, 2) as object) });
    case 2: return text('ack with a strange seq', { type: 'ack', seq: jsonValue(r, 2) });
    case 3: return text('send with strange fields', {
      type: 'send',
      id: r() < 0.7 ? `fz-${Math.floor(r() * 50)}` : jsonValue(r, 2),
      to: r() < 0.6 ? ['5511999999999', '120363000000000000@g.us', '+5511888888888'][Math.floor(r() * 3)] : jsonValue(r, 2),
      ...(r() < 0.7 && { text: r() < 0.6 ? randomString(r, 1 + Math.floor(r() * 30)) : jsonValue(r, 2) }),
      ...(r() < 0.3 && { media: r() < 0.5 ? { type: 'image', url: 'https://cdn.example.com/x.png', caption: jsonValue(r, 2) } : jsonValue(r, 1) }),
      ...(r() < 0.3 && { sender_name: jsonValue(r, 2) }),
      ...(r() < 0.3 && { reply_to: jsonValue(r, 2) }),
    });
    case 4: {
      // Huge strings: from half the size limit to twice it.
      const size = Math.floor(MAX_FRAME * (0.5 + r() * 1.5));
      return text(`huge string (${size} chars)`, r() < 0.5 ? { type: 'send', id: 'huge', to: '5511999999999', text: 'x'.repeat(size) } : { type: 'x'.repeat(size) });
    }
    case 5: return { label: 'binary frame', data: Buffer.from(Array.from({ length: 1 + Math.floor(r() * 64) }, () => Math.floor(r() * 256))), binary: true, expect: 'open' };
    case 6: return text('not JSON', randomString(r, Math.floor(r() * 60)));
    case 7: return text('truncated JSON', JSON.stringify({ type: 'send', id: 'cut', to: '5511999999999', text: 'abc' }).slice(0, Math.floor(r() * 40)));
    default: return { label: 'invalid UTF-8 text', data: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), binary: false, expect: 1007 };
  }
}

describe('bridge channel: fuzzed frames', () => {
  let bridge: FakeBridge;
  let t: TestApp;
  let token: string;
  const sockets: RawBridge[] = [];
  const problems: unknown[] = [];
  const onProblem = (error: unknown) => problems.push(error);

  const open = (target: Integration) => openRaw(target, bridge.token, sockets);
  let probes = 0;
  const probe = async (raw: RawBridge) => {
    const marker = `probe-${++probes}`;
    raw.send({ type: marker });
    await raw.next(`the answer to ${marker}`, (f) => f.type === 'error' && f.message.includes(marker));
  };

  beforeAll(async () => {
    process.on('unhandledRejection', onProblem);
    process.on('uncaughtException', onProblem);
    bridge = await new FakeBridge().start();
    t = await startApp(bridgeEnv(bridge, { BRIDGE_MAX_FRAME_BYTES: String(MAX_FRAME) }));
    token = await t.newAccount();
  });
  afterAll(async () => {
    process.off('unhandledRejection', onProblem);
    process.off('uncaughtException', onProblem);
    await Promise.all(sockets.map((s) => s.close()));
    await t?.close();
    await bridge?.stop();
  });

  it(`survives ${FRAMES} fuzzed frames without touching other instances' sockets`, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    const r = prng(seed);
    const target = await createIntegration(t, 'fuzzed', { token });
    const neighbours = [await createIntegration(t, 'bystander-1', { token }), await createIntegration(t, 'bystander-2', { token })];
    const bystanders = await Promise.all(neighbours.map(open));
    let fuzzed = await open(target);
    const logsBefore = capturedLogs.length;
    const closes: Record<string, number> = {};

    for (let i = 0; i < FRAMES; i++) {
      const frame = fuzzFrame(r);
      fuzzed.ws.send(frame.data, { binary: frame.binary });
      const context = { seed, frame: i, label: frame.label, data: String(frame.data).slice(0, 200) };
      if (frame.expect === 'open') {
        await probe(fuzzed).catch((error: Error) => {
          throw new Error(`${error.message}\n${JSON.stringify(context)}`);
        });
      } else {
        const closed = await within(`the close after ${frame.label}`, fuzzed.closed);
        expect({ ...context, code: closed.code }).toEqual({ ...context, code: frame.expect });
        closes[closed.code] = (closes[closed.code] ?? 0) + 1;
        fuzzed = await open(target);
      }
      // The neighbours keep streaming while the fuzzing goes on.
      if (i % 100 === 0) await api(t.url, token).post(`/api/sandbox/receive/${neighbours[(i / 100) % 2].name}`, { from: '5511999999999', text: `during fuzz ${i}` });
    }

    for (const [n, raw] of bystanders.entries()) {
      expect({ bystander: n, open: raw.open }).toEqual({ bystander: n, open: true });
      await probe(raw);
      await api(t.url, token).post(`/api/sandbox/receive/${neighbours[n].name}`, { from: '5511999999999', text: 'after fuzz' });
      await raw.next(`"after fuzz" on bystander ${n}`, (f) => f.type === 'event' && f.data.message?.content.text === 'after fuzz');
      const seqs = raw.events.map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    }
    expect((await api(t.url).get('/health')).body.status).toBe('ok');
    await probe(fuzzed);
    // Nothing the fuzzer sent made the service log an error (a crash, a failed command, a failed read).
    const errors = capturedLogs.slice(logsBefore).filter((line) => /"level":(50|60)/.test(line));
    expect(errors).toEqual([]);
    expect(problems).toEqual([]);
    await waitFor('the fuzzed socket to stay the live one', async () => (await api(t.url, token).get('/api/chatwoot/list/fuzzed')).body.bridge_connected === true);
  });

  it('answers fuzzed handshakes with 401 or 404 and keeps serving', async () => {
    const r = prng(Number(process.env.FUZZ_SEED ?? 7));
    const auth = { authorization: `Bearer ${bridge.token}` };
    const paths = [
      '/ws/chatwoot/%E0%A4%A', '/ws/chatwoot/..%2F..%2Fetc', `/ws/chatwoot/${'a'.repeat(5000)}`, '/ws/chatwoot/fuzzed/extra',
      '/ws/chatwoot/', '/ws/chatwoot/%00', '/ws/chatwoot/fuzzed%20', '/ws/other/fuzzed', '/ws/chatwoot/FUZZED',
      ...Array.from({ length: 10 }, () => `/ws/chatwoot/${encodeURIComponent(randomString(r, 1 + Math.floor(r() * 20)))}`),
    ];
    for (const path of paths) {
      const refusal = await upgradeRefusal(`${t.wsUrl}${path}`, auth);
      expect({ path: path.slice(0, 60), status: refusal.status }).toEqual({ path: path.slice(0, 60), status: 404 });
    }
    const badAuth = ['Bearer', 'Bearer ', `Basic ${bridge.token}`, `Bearer ${bridge.token}x`, `Bearer ${'x'.repeat(10000)}`, `bearer  ${bridge.token.slice(1)}`];
    for (const authorization of badAuth) {
      expect((await upgradeRefusal(`${t.wsUrl}/ws/chatwoot/fuzzed`, { authorization })).status).toBe(401);
    }
    // Case-insensitive scheme and surrounding whitespace are fine.
    const ok = new RawBridge(`${t.wsUrl}/ws/chatwoot/fuzzed`, bridge.token, { headers: { authorization: `bearer   ${bridge.token}  ` } });
    sockets.push(ok);
    await within('the lenient bearer to connect', ok.opened);
    expect((await ok.next('hello')).instance).toBe('fuzzed');
    expect((await api(t.url).get('/health')).body.status).toBe('ok');
  });
});
