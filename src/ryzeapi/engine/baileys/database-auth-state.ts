import { BufferJSON, initAuthCreds, type AuthenticationState, type SignalDataTypeMap } from '@whiskeysockets/baileys';
import { proto } from './baileys-proto.js';
import type { AuthStateRepository } from './auth-state.repository.js';

export interface StoredSession {
  state: AuthenticationState;
  saveCreds(): Promise<void>;
  /** Whether a phone has been paired with these credentials. */
  paired(): boolean;
}

const CREDS = { category: 'creds', id: 'creds' };
const serialize = (value: unknown) => JSON.stringify(value, BufferJSON.replacer);
const parse = (json: string) => JSON.parse(json, BufferJSON.reviver);

/**
 * Baileys' AuthenticationState over the database (what `useMultiFileAuthState` does with files):
 * credentials in one row, each signal key in its own. Baileys batches key writes in its own
 * transactions and hands each batch to `set`, which stores it in one statement.
 */
export async function databaseAuthState(repository: AuthStateRepository, instanceId: string): Promise<StoredSession> {
  const stored = (await repository.read(instanceId, CREDS.category, [CREDS.id])).get(CREDS.id);
  const creds = stored ? parse(stored) : initAuthCreds();
  return {
    state: {
      creds,
      keys: {
        get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
          const values: { [id: string]: SignalDataTypeMap[T] } = {};
          for (const [id, json] of await repository.read(instanceId, type, ids)) {
            const value = parse(json);
            values[id] = type === 'app-state-sync-key' ? proto.Message.AppStateSyncKeyData.fromObject(value) : value;
          }
          return values;
        },
        set: (data) =>
          repository.write(
            instanceId,
            Object.entries(data).flatMap(([category, values]) =>
              Object.entries(values ?? {}).map(([id, value]) => ({ category, id, value: value ? serialize(value) : null })),
            ),
          ),
      },
    },
    saveCreds: () => repository.write(instanceId, [{ ...CREDS, value: serialize(creds) }]),
    paired: () => Boolean(creds.account),
  };
}

/** Whether stored credentials (as read by AuthStateRepository.allCredentials) belong to a paired phone. */
export const isPairedCreds = (json: string): boolean => Boolean(parse(json).account);
