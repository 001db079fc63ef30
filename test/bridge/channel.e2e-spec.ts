import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, Socket, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../support/channel-helpers.js';
import { api } from '../support/http.js';
import { connectedInstance, receive, startStack, type Stack } from '../support/test-bridge.js';

/** A TCP proxy whose connections can be frozen: bytes stop flowing, nothing is closed (a dead peer). */
class FreezableProxy {
  private server!: Server;
  private readonly pairs: [Socket, Socket][] = [];

  async start(target: number): Promise<this> {
    this.server = createServer((client) => {
      const upstream = new Socket();
      this.pairs.push([client, upstream]);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      upstream.connect(target, '127.0.0.1', () => {
        client.pipe(upstream);
        upstream.pipe(client);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Every open connection stops carrying bytes, both ways, without a FIN or RST. */
  freeze(): number {
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
    return this.pairs.splice(0).length;
  }

  async stop(): Promise<void> {
    this.server.close();
  }
}

describe('bridge: the socket to RyzeAPI', () => {
  let stack: Stack;
  let proxy: FreezableProxy;

  beforeAll(async () => {
    stack = await startStack({ ryzeEnv: { BRIDGE_HEARTBEAT_MS: '1000' } });
    proxy = await new FreezableProxy().start(Number(new URL(stack.ryze.url).port));
    // The bridge reaches RyzeAPI through the proxy.
    stack.ryze.config.bridge!.internalRyzeApiUrl = proxy.url;
  });

  afterAll(async () => {
    stack.chatwoot.assertNoViolations();
    await proxy?.stop();
    await stack?.close();
  });

  it('drops a peer that stopped answering (no pings for two heartbeats) and reconnects; nothing is lost', async () => {
    const { name } = await connectedInstance(stack, 'silent');
    const inbox = (await api(stack.ryze.url, stack.account).get(`/api/chatwoot/list/${name}`)).body.chatwoot_inbox_id;
    await receive(stack, name, { from: '5511933330000', name: 'Téo', text: 'before' });
    await waitFor('before', () => stack.chatwoot.messages().some((m) => m.inboxId === inbox && m.content === 'before'));
    expect(proxy.freeze()).toBeGreaterThan(0);
    await receive(stack, name, { from: '5511933330000', name: 'Téo', text: 'while frozen' });
    // RyzeAPI pings every second; the bridge gives up after 2 s + 1 s of silence and reconnects.
    await waitFor('written after the reconnection', () => stack.chatwoot.messages().some((m) => m.inboxId === inbox && m.content === 'while frozen'), 15_000);
    expect(stack.chatwoot.messages().filter((m) => m.inboxId === inbox).map((m) => m.content)).toEqual(['before', 'while frozen']);
  });
});
