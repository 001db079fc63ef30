/**
 * `npm run demo`: the whole Chatwoot loop on one machine, with nothing to configure.
 *
 * It starts a fake Chatwoot (test/support/fake-chatwoot: a real HTTP server that keeps state and
 * posts inbox webhooks as Chatwoot does), the real bridge (RyzeIntegrations, in its own process, as
 * `npm run bridge` runs it) and RyzeAPI with the sandbox WhatsApp, each on the embedded database in
 * a temporary folder. Then it walks a customer's message into a Chatwoot conversation and an
 * agent's reply back to the customer's WhatsApp, printing what happens at each hop.
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AccountsService } from '../src/ryzeapi/accounts/accounts.service.js';
import { createApp } from '../src/ryzeapi/app.factory.js';
import { loadConfig } from '../src/ryzeapi/config/app-config.js';
import { startFakeChatwoot, type FakeChatwoot } from '../test/support/fake-chatwoot/index.js';

const INSTANCE = 'demo';
const CUSTOMER = { from: '5511999999999', name: 'Maria', text: 'Oi! Meu pedido ainda não chegou.' };
const AGENT = 'Alice';

let stepNumber = 0;
const step = (title: string) => console.log(`\n${++stepNumber}. ${title}`);
const say = (line: string) => console.log(`   ${line}`);
const json = (value: unknown) => JSON.stringify(value);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The bridge as `npm run bridge` runs it: compiled, in its own process, configured by its environment. */
async function startBridge(env: Record<string, string>, logFile: string): Promise<ChildProcess> {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const child = spawn(process.execPath, [join(root, 'src/bridge/main.js')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile);
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitFor('the bridge to answer GET /health', async () => {
    if (exited) throw new Error(`the bridge exited at start; its log: ${logFile}`);
    return fetch(`${env.PUBLIC_URL}/health`).then((r) => r.ok, () => false);
  }, 120_000); // the embedded database's first start takes a while on a busy machine
  return child;
}

async function stopBridge(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'ryzeapi-demo-'));
  const dirs = { ryzeapi: join(root, 'ryzeapi'), bridge: join(root, 'bridge') };
  Object.values(dirs).forEach((dir) => mkdirSync(dir));
  const bridgeLog = join(root, 'bridge.log');
  let chatwoot: FakeChatwoot | undefined;
  let bridge: ChildProcess | undefined;
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  try {
    step('Start a fake Chatwoot, the bridge (RyzeIntegrations) and RyzeAPI');
    chatwoot = await startFakeChatwoot({ apiWebhooks: true });
    const [bridgePort, ryzePort] = [await freePort(), await freePort()];
    const bridgeUrl = `http://127.0.0.1:${bridgePort}`;
    const ryzeUrl = `http://127.0.0.1:${ryzePort}`;
    // Both applications share BRIDGE_TOKEN; each has its own encryption key and embedded database.
    const bridgeToken = randomBytes(24).toString('base64url');
    bridge = await startBridge(
      {
        PORT: String(bridgePort),
        PUBLIC_URL: bridgeUrl,
        BRIDGE_TOKEN: bridgeToken,
        ENCRYPTION_KEYS: `demo:${randomBytes(32).toString('base64')}`,
        DATABASE_URL: '',
        DATA_DIR: dirs.bridge,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      },
      bridgeLog,
    );
    const config = loadConfig({
      ...process.env,
      PORT: String(ryzePort),
      BASE_URL: ryzeUrl,
      DATABASE_URL: '',
      DATA_DIR: dirs.ryzeapi,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      BRIDGE_URL: bridgeUrl,
      BRIDGE_TOKEN: bridgeToken,
      ENCRYPTION_KEYS: `demo:${randomBytes(32).toString('base64')}`,
    });
    app = await createApp(config);
    await app.listen(ryzePort, '127.0.0.1');
    say(`Chatwoot (fake): ${chatwoot.url}  account ${chatwoot.accountId}, an administrator's API token`);
    say(`bridge:          ${bridgeUrl}  (its own process; embedded database in ${dirs.bridge}; log ${bridgeLog})`);
    say(`RyzeAPI:         ${ryzeUrl}  (embedded database in ${dirs.ryzeapi}; sandbox WhatsApp)`);

    const { token } = await app.get(AccountsService).create('demo');
    const call = async (method: string, path: string, body?: unknown, quiet = false) => {
      const res = await fetch(ryzeUrl + path, {
        method,
        headers: { token, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : json(body),
      });
      const text = await res.text();
      if (!quiet) say(`${method} ${path} -> ${res.status} ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`);
      if (!res.ok) throw new Error(`${method} ${path} failed with ${res.status}`);
      return text ? JSON.parse(text) : undefined;
    };
    const sent = async () => (await call('GET', `/api/sandbox/sent/${INSTANCE}`, undefined, true)).data as { text: string | null; command_id: string | null; to: string }[];

    step(`Create the instance "${INSTANCE}" and connect it to the sandbox WhatsApp`);
    await call('POST', '/api/instance/new', { name: INSTANCE });
    await call('GET', `/api/instance/connect/${INSTANCE}`);

    step('Activate Chatwoot for it: RyzeAPI asks the bridge, which creates an API inbox in Chatwoot and connects back to RyzeAPI');
    await call('POST', `/api/chatwoot/set/${INSTANCE}`, {
      chatwootBaseUrl: chatwoot.url,
      chatwootAccountId: chatwoot.accountId,
      chatwootApiToken: chatwoot.token,
      inboxName: 'WhatsApp Demo',
      signMessages: true,
    });
    const inbox = chatwoot.inboxes().at(-1)!;
    say(`[chatwoot] inbox ${inbox.id} "${inbox.name}" (${inbox.channelType}); its webhook: ${inbox.webhookUrl.replace(/[^/]+$/, '<secret>')}`);
    await waitFor('the bridge channel', async () => (await call('GET', `/api/chatwoot/list/${INSTANCE}`, undefined, true)).bridge_connected);
    say('[ryzeapi] the bridge is connected on /ws/chatwoot/demo');

    step(`${CUSTOMER.name} writes on WhatsApp (simulated by the sandbox)`);
    const { message_id: whatsappId } = await call('POST', `/api/sandbox/receive/${INSTANCE}`, CUSTOMER);
    say(`[ryzeapi] event message.exchange ${whatsappId} queued for the bridge`);
    const incoming = await waitFor('the message in Chatwoot', () => chatwoot!.messages().find((m) => m.sourceId === `WAID:${whatsappId}`));
    const conversation = chatwoot.conversations({ inboxId: inbox.id }).find((c) => c.id === incoming.conversationId)!;
    const contact = chatwoot.contacts().find((c) => c.id === conversation.contactId)!;
    say(`[bridge]   contact ${contact.id} "${contact.name}" ${contact.phoneNumber} (identifier ${contact.identifier}), conversation ${conversation.id}`);
    say(`[chatwoot] conversation ${conversation.id}: incoming message ${incoming.id} ${json(incoming.content)} (source_id ${incoming.sourceId})`);

    step(`Agent ${AGENT} answers in the Chatwoot conversation; Chatwoot posts message_created to the bridge's webhook`);
    const reply = await chatwoot.agentReply(conversation.id, { content: 'Olá Maria, já estou verificando o seu pedido.', senderName: AGENT, inReplyTo: incoming.id });
    say(`[chatwoot] outgoing message ${reply.message.id} by ${AGENT}; webhook answered ${reply.deliveries.map((d) => `${d.status} ${d.responseText}`).join(', ')}`);
    say(`[bridge]   stored as command cw-${reply.message.id} before answering, then sent to RyzeAPI (reply_to ${whatsappId})`);
    const out = await waitFor('the reply on WhatsApp', async () => (await sent()).find((s) => s.command_id === `cw-${reply.message.id}`));
    say(`[whatsapp] to ${out.to}: ${json(out.text)}  (signMessages: the agent's name first)`);

    step('Chatwoot delivers the same webhook again (it sometimes does): nothing is sent twice');
    const again = await chatwoot.deliverWebhook(inbox.id, reply.payload);
    say(`[chatwoot] redelivery answered ${again.map((d) => d.status).join(', ')}`);
    await sleep(500);
    say(`[whatsapp] messages sent for cw-${reply.message.id}: ${(await sent()).filter((s) => s.command_id === `cw-${reply.message.id}`).length}`);

    step(`${CUSTOMER.name} answers; the echo of the agent's reply is not written to Chatwoot again`);
    const { message_id: secondId } = await call('POST', `/api/sandbox/receive/${INSTANCE}`, { ...CUSTOMER, text: 'Obrigada!' });
    await waitFor('the answer in Chatwoot', () => chatwoot!.messages().find((m) => m.sourceId === `WAID:${secondId}`));

    step('The instance loses WhatsApp; the agent writes again: the conversation gets a private note saying so');
    await call('DELETE', `/api/instance/logout/${INSTANCE}`);
    await chatwoot.agentReply(conversation.id, { content: 'Seu pedido sai hoje.', senderName: AGENT });
    const note = await waitFor('the note', () => chatwoot!.messages(conversation.id).find((m) => m.private));
    say(`[chatwoot] private note: ${json(note.content)}`);

    step(`The conversation as the agent sees it in Chatwoot, and what reached ${CUSTOMER.name}'s WhatsApp`);
    for (const m of chatwoot.messages(conversation.id)) {
      say(`[chatwoot] ${m.private ? 'note    ' : m.messageType.padEnd(8)} ${json(m.content)}`);
    }
    for (const m of await sent()) say(`[whatsapp] sent to ${m.to}: ${json(m.text)} (command ${m.command_id})`);

    step('Delete the integration: the bridge removes the inbox from Chatwoot');
    await call('DELETE', `/api/chatwoot/delete/${INSTANCE}`);
    say(`[chatwoot] inboxes left: ${chatwoot.inboxes().length}`);
    chatwoot.assertNoViolations();
    say("every call the bridge made to Chatwoot matched Chatwoot's OpenAPI document");

    step('Shut down and remove the temporary folders');
    await app.close();
    app = undefined;
    await stopBridge(bridge);
    await chatwoot.close();
    say('done: the whole loop ran on the embedded defaults.');
  } catch (error) {
    try {
      console.error(`\nthe bridge's log (${bridgeLog}):\n${readFileSync(bridgeLog, 'utf8').split('\n').slice(-20).join('\n')}`);
    } catch {
      // no log yet
    }
    throw error;
  } finally {
    await app?.close().catch(() => undefined);
    await stopBridge(bridge).catch(() => undefined);
    await chatwoot?.close({ allowViolations: true }).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
