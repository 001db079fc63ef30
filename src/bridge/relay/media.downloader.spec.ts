import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadBridgeConfig } from '../config/bridge-config.js';
import { MediaDownloader, MediaUnavailableError } from './media.downloader.js';

describe('MediaDownloader', () => {
  let server: Server;
  let base: string;
  const downloader = new MediaDownloader(
    loadBridgeConfig({ BRIDGE_TOKEN: 'media-test-token', ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 3).toString('base64')}` }),
  );

  beforeAll(async () => {
    // Answers the status named by the path: /status/429 → 429.
    server = createServer((req, res) => {
      const status = Number(req.url?.split('/').pop());
      res.writeHead(status, { 'content-type': 'image/png' }).end(status === 200 ? 'png-bytes' : '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const fetch = (status: number) => downloader.download({ type: 'image', url: `${base}/status/${status}` }, 'http://ryzeapi.invalid');

  it('downloads the file', async () => {
    const file = await fetch(200);
    expect(file.data.toString()).toBe('png-bytes');
    expect(file.mimetype).toBe('image/png');
  });

  it.each([404, 410, 403])('gives up on HTTP %i: the file is not there', async (status) => {
    await expect(fetch(status)).rejects.toBeInstanceOf(MediaUnavailableError);
  });

  // A rate limit or a timeout passes: the relay retries the event instead of writing "not available".
  it.each([429, 408, 503])('leaves HTTP %i to be retried', async (status) => {
    const error = await fetch(status).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(MediaUnavailableError);
  });
});
