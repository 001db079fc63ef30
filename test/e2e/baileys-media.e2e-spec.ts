/**
 * SPEC 15, `GET /api/media/:instance/:messageId` with WHATSAPP_ENGINE=baileys: the file is fetched
 * from "WhatsApp's CDN" (a loopback HTTP server serving files encrypted as WhatsApp does, with keys
 * derived by Baileys) and decrypted by Baileys through the session; who may download it; the size
 * limit; failures.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getMediaKeys, type MediaType } from '@whiskeysockets/baileys';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EngineEvents } from '../../src/ryzeapi/engine/engine-events.js';
import { waitFor } from '../support/channel-helpers.js';
import { baileysEnv, fixture, FakeBaileysSocketFactory, pairAndOpen, toProto, type FakeBaileysSocket } from '../support/fake-baileys.js';
import { api } from '../support/http.js';
import { registerSecret } from '../support/leak-guard.js';
import { startApp, type TestApp } from '../support/test-app.js';

const BRIDGE_TOKEN = 'bridge-token-for-media-tests';
const MAX_BYTES = 4096;

/** WhatsApp's media encryption: AES-256-CBC with keys from the media key, then a 10-byte HMAC. */
async function encryptForWhatsApp(plain: Buffer, type: MediaType) {
  const mediaKey = randomBytes(32);
  const { iv, cipherKey, macKey } = await getMediaKeys(mediaKey, type);
  if (!macKey) throw new Error('no mac key');
  const cipher = createCipheriv('aes-256-cbc', cipherKey, iv);
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
  const mac = createHmac('sha256', macKey).update(iv).update(encrypted).digest().subarray(0, 10);
  return { mediaKey, file: Buffer.concat([encrypted, mac]) };
}

describe('Baileys engine: media on demand (SPEC 15)', () => {
  let t: TestApp;
  let cdn: Server;
  let cdnUrl: string;
  let factory: FakeBaileysSocketFactory;
  let socket: FakeBaileysSocket;
  let account: string;
  let phoneToken: string;
  let otherToken: string;
  const files = new Map<string, Buffer>();
  const seen: string[] = [];
  /** Files the CDN sends in two parts. */
  const slow = new Set<string>();
  const photo = randomBytes(3000);
  const bigFile = randomBytes(MAX_BYTES * 2);

  /** An incoming media message (the image fixture's shape) whose file is on the loopback CDN. */
  async function receiveMedia(id: string, plain: Buffer, overrides: Record<string, unknown> = {}, kind: 'imageMessage' | 'documentMessage' = 'imageMessage') {
    const { mediaKey, file } = await encryptForWhatsApp(plain, kind === 'imageMessage' ? 'image' : 'document');
    files.set(`/${id}`, file);
    const [base] = fixture('upsert-image-caption.json').messages;
    const media = { ...base.message.imageMessage, url: `${cdnUrl}/${id}`, mediaKey: mediaKey.toString('base64'), fileLength: String(plain.length), ...overrides };
    socket.emit('messages.upsert', { type: 'notify', messages: [toProto({ ...base, key: { ...base.key, id }, message: { [kind]: media } })] });
    await waitFor(`message ${id}`, () => seen.includes(id));
  }

  async function download(path: string, headers: Record<string, string>) {
    const res = await fetch(t.url + path, { headers });
    const body = await res.arrayBuffer().then((b) => Buffer.from(b), (error: Error) => error);
    return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), body };
  }

  beforeAll(async () => {
    cdn = createServer((req, res) => {
      const file = files.get(req.url ?? '');
      res.writeHead(file ? 200 : 404, { 'content-type': 'application/octet-stream' });
      if (!file || !slow.has(req.url!)) return void res.end(file);
      // In two parts: the service has sent its headers when it finds the file too large.
      res.write(file.subarray(0, 1024));
      setTimeout(() => res.end(file.subarray(1024)), 100);
    });
    await new Promise<void>((resolve) => cdn.listen(0, '127.0.0.1', resolve));
    cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
    registerSecret(BRIDGE_TOKEN);
    factory = new FakeBaileysSocketFactory();
    t = await startApp(
      baileysEnv({ BRIDGE_URL: 'http://127.0.0.1:9', BRIDGE_TOKEN, MEDIA_MAX_BYTES: String(MAX_BYTES) }),
      undefined,
      { baileysSocketFactory: factory },
    );
    t.app.get(EngineEvents).subscribe((published) => published.forEach((event) => void (event.event === 'message.exchange' && seen.push(event.data.message.id))));
    account = await t.newAccount();
    const client = api(t.url, account);
    phoneToken = (await client.post('/api/instance/new', { name: 'phone' })).body.instance.token;
    otherToken = (await client.post('/api/instance/new', { name: 'other' })).body.instance.token;
    const pending = client.get('/api/instance/connect/phone');
    socket = await pairAndOpen(factory, await factory.socket(1));
    expect((await pending).body.status).toBe('connected');
    await receiveMedia('3AIMAGE0000000000001', photo);
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => cdn?.close(resolve));
  });

  it('streams the decrypted file with its content type, for the TokenAccount', async () => {
    const res = await download('/api/media/phone/3AIMAGE0000000000001', { token: account });
    expect(res.status).toBe(200);
    expect(res.type).toBe('image/jpeg');
    expect(res.body).toEqual(photo);
  });

  it('takes the instance’s TokenInstance and the bridge’s Bearer BRIDGE_TOKEN', async () => {
    expect((await download('/api/media/phone/3AIMAGE0000000000001', { token: phoneToken })).body).toEqual(photo);
    expect((await download('/api/media/phone/3AIMAGE0000000000001', { authorization: `Bearer ${BRIDGE_TOKEN}` })).body).toEqual(photo);
  });

  it('refuses other tokens', async () => {
    const get = (headers: Record<string, string>) => api(t.url).get('/api/media/phone/3AIMAGE0000000000001', { headers });
    expect(await get({})).toMatchObject({ status: 401, body: { error: { message: 'Missing token' } } });
    expect(await get({ authorization: 'Bearer not-the-bridge-token' })).toMatchObject({ status: 401, body: { error: { message: 'Invalid token' } } });
    expect(await get({ token: otherToken })).toMatchObject({ status: 403, body: { error: { message: 'Instance token does not match this instance' } } });
  });

  it('names a document’s file', async () => {
    const pdf = Buffer.from('%PDF-1.4 a small report');
    await receiveMedia('3ADOC000000000000001', pdf, { mimetype: 'application/pdf', fileName: 'relatório.pdf', caption: undefined }, 'documentMessage');
    const res = await download('/api/media/phone/3ADOC000000000000001', { token: account });
    expect(res).toMatchObject({ status: 200, type: 'application/pdf', body: pdf });
    expect(res.disposition).toContain('attachment; filename=');
    expect(res.disposition).toContain("filename*=UTF-8''relat%C3%B3rio.pdf");
  });

  it('answers 413 for a file WhatsApp says is over MEDIA_MAX_BYTES, without downloading it', async () => {
    await receiveMedia('3ABIG000000000000001', bigFile);
    const res = await api(t.url, account).get('/api/media/phone/3ABIG000000000000001');
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ success: false, error: { message: `media is larger than the limit of ${MAX_BYTES} bytes` } });
  });

  it('answers 413 for a file that turns out larger than the limit at once', async () => {
    await receiveMedia('3ALIAR00000000000001', bigFile, { fileLength: '100' });
    const res = await api(t.url, account).get('/api/media/phone/3ALIAR00000000000001');
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ success: false, error: { message: `media is larger than the limit of ${MAX_BYTES} bytes` } });
  });

  it('cuts a download that turns out larger than the limit once under way', async () => {
    slow.add('/3ALIAR00000000000002');
    await receiveMedia('3ALIAR00000000000002', bigFile, { fileLength: '100' });
    const res = await download('/api/media/phone/3ALIAR00000000000002', { token: account });
    expect(res.status).toBe(200);
    expect(Buffer.isBuffer(res.body)).toBe(false); // the fetch failed: the body was cut off
    expect(res.body).toMatchObject({ message: 'terminated' });
    expect((await api(t.url).get('/health')).status).toBe(200);
  });

  it('answers 404 for an unknown message and for a message without media', async () => {
    const client = api(t.url, account);
    expect(await client.get('/api/media/phone/3ANOPE00000000000000')).toMatchObject({ status: 404, body: { error: { message: 'message not found' } } });
    socket.emit('messages.upsert', { type: 'notify', messages: [toProto(fixture('upsert-text.json').messages[0])] });
    await waitFor('the text', () => seen.includes('3A5F0D2C7E9B41A6C8D1'));
    expect(await client.get('/api/media/phone/3A5F0D2C7E9B41A6C8D1')).toMatchObject({ status: 404, body: { error: { message: 'message has no media' } } });
    expect(await client.get('/api/media/nobody/3A5F0D2C7E9B41A6C8D1')).toMatchObject({ status: 404, body: { error: { message: 'instance not found' } } });
  });

  it('answers 502 when WhatsApp’s server no longer has the file', async () => {
    await receiveMedia('3AGONE00000000000001', photo);
    files.delete('/3AGONE00000000000001');
    const res = await api(t.url, account).get('/api/media/phone/3AGONE00000000000001');
    expect(res.status).toBe(502);
    expect(res.body.error.message).toMatch(/^could not download the media from WhatsApp\. Detail: .*404/);
  });
});
