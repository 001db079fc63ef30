import type { TestingModuleBuilder } from '@nestjs/testing';
import { ChannelCursorsRepository } from '../../src/ryzeapi/chatwoot/channel/channel-cursors.repository.js';
import { CommandLedgerRepository } from '../../src/ryzeapi/chatwoot/channel/command-ledger.repository.js';
import { OutboxEventsRepository } from '../../src/ryzeapi/chatwoot/channel/outbox-events.repository.js';

/** When a call kills the process: before it runs (it fails), right after it (it succeeds), or not at all. */
export type Fate = 'dies before' | 'dies after' | undefined;

type Repository = new (...args: any[]) => object;

/**
 * The bridge channel's three repositories (events, cursors, command ledger), replaced so that the
 * service "dies" at a chosen call: from then on every call of any of them fails, so nothing more
 * reaches the channel's tables, as after a SIGKILL. `fate` sees each call (method name, arguments).
 */
export function dyingChannelStorage(fate: (method: string, args: unknown[]) => Fate): (m: TestingModuleBuilder) => TestingModuleBuilder {
  let dead = false;
  const dying = (Base: Repository): Repository =>
    class extends Base {
      constructor(...args: any[]) {
        super(...args);
        for (const name of Object.getOwnPropertyNames(Base.prototype)) {
          if (name === 'constructor') continue;
          const self = this as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
          const original = self[name].bind(this);
          self[name] = async (...a: unknown[]) => {
            if (dead) throw new Error('killed');
            const when = fate(name, a);
            if (when === 'dies before') dead = true;
            if (dead) throw new Error('killed');
            const result = await original(...a);
            if (when === 'dies after') dead = true;
            return result;
          };
        }
      }
    };
  return (m) =>
    [OutboxEventsRepository, ChannelCursorsRepository, CommandLedgerRepository].reduce(
      (builder, repository) => builder.overrideProvider(repository).useClass(dying(repository)),
      m,
    );
}
