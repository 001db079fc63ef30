import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, Socket, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { RyzeApiChannel } from '../../src/bridge/channel/ryzeapi.channel.js';
import { waitFor } from '../support/channel-helpers.js';
import { api } from '../support/http.js';
import { BRIDGE_TOKEN, connectedInstance, receive, startStack, type Stack } from '../support/test-bridge.js';

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

  it('4410 (RyzeAPI deleted the integration on its side): the bridge stops, says so, and does not reconnect after a restart', async () => {
    const { name, integrationId } = await connectedInstance(stack, 'deleted-there');
    const status = async () =>
      (await api(stack.bridge.url).get(`/v1/integrations/${integrationId}`, { headers: { authorization: `Bearer ${BRIDGE_TOKEN}` } })).body;
    await waitFor('active', async () => (await status()).status === 'active');
    // RyzeAPI knows the integration by another id, so its delete call finds nothing on the bridge
    // (404: "already gone") and it goes on: it deletes its row and closes the socket with 4410.
    await stack.ryze.app.get(DataSource).query(`UPDATE chatwoot_integrations SET bridge_integration_id = 'int_other' WHERE bridge_integration_id = $1`, [integrationId]);
    expect((await api(stack.ryze.url, stack.account).delete(`/api/chatwoot/delete/${name}`)).status).toBe(200);
    const stopped = await waitFor('error status', async () => {
      const s = await status();
      return s.status === 'error' ? s : undefined;
    });
    expect(stopped.last_error).toBe('RyzeAPI deleted this integration (close 4410): delete it here, or run POST /api/chatwoot/set again');
    await stack.restartBridge();
    // Not resumed at start: no socket, not even one being retried.
    expect(stack.bridge.app.get(RyzeApiChannel).state(integrationId)).toEqual({ open: false, down: 'not connected to RyzeAPI', outage: '' });
    expect((await status()).status).toBe('error');
  });
});
