/**
 * `npm run demo`: the whole Chatwoot loop on one machine, with nothing to configure.
 *
 * It starts RyzeAPI in this process (embedded database in a temporary folder, sandbox WhatsApp) and
 * a tiny demo bridge: an HTTP server answering RyzeAPI's activate/status/delete calls (SPEC
 * section 8) that, once activated, connects back over the bridge channel with the reference client
 * (tools/bridge-client.ts). Then it walks through the loop step by step and prints what happens.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountsService } from '../src/ryzeapi/accounts/accounts.service.js';
import { createApp } from '../src/ryzeapi/app.factory.js';
import { loadConfig } from '../src/ryzeapi/config/app-config.js';
import { BridgeClient, type EventFrame } from './bridge-client.js';

const INSTANCE = 'demo';
const CUSTOMER = { from: '5511999999999', name: 'Maria', text: 'Oi! Meu pedido ainda não chegou.' };
const AGENT_REPLY = { id: 'chatwoot-message-1001', to: CUSTOMER.from, text: 'Olá Maria, já estou verificando o seu pedido.', sender_name: 'Alice' };

let stepNumber = 0;
const step = (title: string) => console.log(`\n${++stepNumber}. ${title}`);
const say = (line: string) => console.log(`   ${line}`);
const json = (value: unknown) => JSON.stringify(value);

/**
 * The demo bridge. A real bridge (RyzeIntegrations) would create a Chatwoot inbox on activate and
 * post incoming events to Chatwoot; this one keeps the integration in memory and prints.
 */
class DemoBridge {
  readonly token = randomBytes(16).toString('hex');
  readonly events: EventFrame[] = [];
  client?: BridgeClient;
  private server?: Server;
  private integration?: { id: string; instance: string };
  private waiters: (() => void)[] = [];

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => {
        const reply = (status: number, body?: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? undefined : json(body));
        };
        if (req.headers.authorization !== `Bearer ${this.token}`) return reply(401, { error: { message: 'invalid service token' } });
        if (req.method === 'POST' && req.url === '/v1/integrations/activate') {
          const body = JSON.parse(raw);
          this.integration = { id: body.integration_id ?? 'int_demo1', instance: body.instance };
          say(`[bridge] POST /v1/integrations/activate for "${body.instance}": inbox "${body.chatwoot.inbox_name}" on ${body.chatwoot.base_url}`);
          say(`[bridge] it will connect back to ${body.ryzeapi.ws_url}`);
          this.connect(body.ryzeapi.ws_url);
          return reply(201, { integration_id: this.integration.id, status: 'active', inbox_id: 17 });
        }
        const id = decodeURIComponent(req.url?.split('/').pop() ?? '');
        if (!this.integration || this.integration.id !== id) return reply(404, { error: { message: 'integration not found' } });
        if (req.method === 'GET') return reply(200, { integration_id: id, status: 'active', inbox_id: 17, last_error: '' });
        if (req.method === 'DELETE') {
          say(`[bridge] DELETE /v1/integrations/${id}: the Chatwoot inbox would be removed here`);
          this.integration = undefined;
          return reply(204);
        }
        reply(404, { error: { message: 'not found' } });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  /** Opens the bridge channel with the reference client. RyzeAPI stores the integration right after
   *  activate answers, so the first attempts may get 404: the client simply retries with backoff. */
  private connect(wsUrl: string): void {
    this.client = new BridgeClient({
      url: wsUrl,
      token: this.token,
      backoff: { initialMs: 50, maxMs: 1000 },
      onHello: (hello) => say(`[bridge] connected; hello: ${json(hello)}`),
      onEvent: (frame) => {
        this.events.push(frame);
        this.waiters.splice(0).forEach((wake) => wake());
      },
      onDisconnect: ({ code, reason, reconnectInMs }) =>
        say(`[bridge] socket closed: ${code}${reason ? ` "${reason}"` : ''}${reconnectInMs === null ? ', not reconnecting' : `, retrying in ${reconnectInMs} ms`}`),
    }).start();
  }

  /** Waits for the next event matching `match` (the client has already acked or will ack it). */
  async next(what: string, match: (e: EventFrame) => boolean, taken = new Set<EventFrame>()): Promise<EventFrame> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = this.events.find((e) => match(e) && !taken.has(e));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`the bridge did not receive ${what} within 10 s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  async stop(): Promise<void> {
    await this.client?.close();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function describeEvent(e: EventFrame): string {
  if (e.event === 'message.exchange') {
    const m = e.data.message;
    const origin = e.data.source === 'chatwoot' ? `, source chatwoot, command_id ${e.data.command_id}` : `, source ${e.data.source}`;
    return `seq ${e.seq} message.exchange ${m.direction} ${m.direction === 'incoming' ? `from ${m.sender.name} (${m.sender.jid})` : `to ${m.chat.jid}`}: ${json(m.content.text)}${origin}`;
  }
  if (e.event === 'message.status') return `seq ${e.seq} message.status ${e.data.status} for ${e.data.message_id}`;
  return `seq ${e.seq} ${e.event} ${json(e.data)}`;
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ryzeapi-demo-'));
  const bridge = new DemoBridge();
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  try {
    step('Start RyzeAPI with the Chatwoot module enabled, and a demo bridge');
    await bridge.start();
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      ...process.env,
      PORT: String(port),
      BASE_URL: baseUrl,
      DATABASE_URL: '', // the embedded database, in a temporary folder
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      BRIDGE_URL: bridge.url,
      BRIDGE_TOKEN: bridge.token,
      ENCRYPTION_KEYS: `demo:${randomBytes(32).toString('base64')}`, // a throwaway key
    });
    app = await createApp(config);
    await app.listen(port, '127.0.0.1');
    say(`RyzeAPI:     ${baseUrl} (embedded database in ${dataDir})`);
    say(`demo bridge: ${bridge.url}`);

    const { token } = await app.get(AccountsService).create('demo');
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(baseUrl + path, {
        method,
        headers: { token, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : json(body),
      });
      const text = await res.text();
      say(`${method} ${path} -> ${res.status} ${text}`);
      if (!res.ok) throw new Error(`${method} ${path} failed with ${res.status}`);
      return text ? JSON.parse(text) : undefined;
    };

    step(`Create the instance "${INSTANCE}"`);
    await call('POST', '/api/instance/new', { name: INSTANCE });

    step('Activate the Chatwoot integration (RyzeAPI asks the bridge, which then opens the channel)');
    await call('POST', `/api/chatwoot/set/${INSTANCE}`, {
      chatwootBaseUrl: 'https://chatwoot.example.com',
      chatwootAccountId: 1,
      chatwootApiToken: 'demo-chatwoot-api-token',
      inboxName: 'WhatsApp - Demo',
      signMessages: true,
    });
    const connected = Date.now() + 10_000;
    while (!bridge.client?.connected) {
      if (Date.now() > connected) throw new Error('the bridge did not connect within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    step('Connect the instance to the sandbox WhatsApp');
    await call('GET', `/api/instance/connect/${INSTANCE}`);
    say(`[bridge] received ${describeEvent(await bridge.next('instance.state', (e) => e.event === 'instance.state'))}`);

    step(`${CUSTOMER.name} sends a WhatsApp message (simulated by the sandbox)`);
    const { message_id: inboundId } = await call('POST', `/api/sandbox/receive/${INSTANCE}`, CUSTOMER);
    const inbound = await bridge.next('the incoming message', (e) => e.event === 'message.exchange' && e.data.message.id === inboundId);
    say(`[bridge] received ${describeEvent(inbound)}`);
    say('[bridge] (a real bridge posts it to the Chatwoot conversation now, then acks the seq)');

    step(`Agent ${AGENT_REPLY.sender_name} answers in Chatwoot: the bridge sends the reply over the channel`);
    const reply = { ...AGENT_REPLY, reply_to: inboundId };
    say(`[bridge] send ${json({ type: 'send', ...reply })}`);
    const result = await bridge.client!.send(reply);
    say(`[bridge] result ${json(result)}`);
    if (!result.ok) throw new Error(`the reply failed: ${result.error}`);
    const echo = await bridge.next('the echo of the reply', (e) => e.event === 'message.exchange' && e.data.command_id === AGENT_REPLY.id);
    say(`[bridge] received ${describeEvent(echo)}`);
    say('[bridge] source chatwoot + its own command_id: its own echo, not posted to Chatwoot again');
    for (const status of ['sent', 'delivered']) {
      say(`[bridge] received ${describeEvent(await bridge.next(`status ${status}`, (e) => e.event === 'message.status' && e.data.status === status))}`);
    }

    step('Sending the same command id again (a bridge retry) is not sent twice: the first result comes back');
    const again = await bridge.client!.send(reply);
    say(`[bridge] result ${json(again)}${again.ok && result.ok && again.message_id === result.message_id ? ' (same message_id)' : ''}`);

    step("The reply is in the sandbox's sent list, signed with the agent's name (signMessages)");
    const sent = await call('GET', `/api/sandbox/sent/${INSTANCE}`);
    if (sent.data.length !== 1) throw new Error(`expected one sent message, found ${sent.data.length}`);
    say(`text as WhatsApp shows it: ${json(sent.data[0].text)}`);

    step('The integration as RyzeAPI reports it');
    const ackedUpTo = bridge.client!.lastSeq;
    for (let i = 0; i < 50; i++) {
      const listed = (await fetch(`${baseUrl}/api/chatwoot/list/${INSTANCE}`, { headers: { token } }).then((r) => r.json())) as { pending_events: number };
      if (listed.pending_events === 0) break; // the bridge's acks are written
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const listed = await call('GET', `/api/chatwoot/list/${INSTANCE}`);
    say(
      listed.pending_events === 0
        ? `bridge_connected ${listed.bridge_connected}; pending_events 0: the bridge processed and acked every event up to seq ${ackedUpTo}`
        : `bridge_connected ${listed.bridge_connected}; pending_events ${listed.pending_events}: acks still on their way`,
    );

    step('Delete the integration: RyzeAPI tells the bridge, then closes the channel with 4410');
    await call('DELETE', `/api/chatwoot/delete/${INSTANCE}`);
    const stopped = await bridge.client!.stoppedWith;
    say(`[bridge] stopped for good: ${stopped.code} "${stopped.reason}"`);

    step('Shut down and remove the temporary folder');
    await app.close();
    app = undefined;
    await bridge.stop();
    rmSync(dataDir, { recursive: true, force: true });
    say('done: the whole loop ran on the embedded defaults.');
  } finally {
    await app?.close().catch(() => undefined);
    await bridge.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
