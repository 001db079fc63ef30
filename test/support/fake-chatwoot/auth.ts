import type { IncomingHttpHeaders } from 'node:http';
import type { FakeChatwootStore } from './store.js';
import type { AccountRecord, Role, UserRecord } from './types.js';

/** Who is calling: the account of the path, the token's user and its role there. */
export interface Caller {
  account: AccountRecord;
  user: UserRecord;
  role: Role;
}

/** Chatwoot's checks, in its order: token present, token known, account exists, user belongs to it. */
export function authenticate(store: FakeChatwootStore, headers: IncomingHttpHeaders, accountParam: string): Caller | { status: number; body: unknown } {
  const token = headers['api_access_token'];
  if (typeof token !== 'string' || !token) {
    // Without api_access_token Chatwoot falls back to devise_token_auth (an Authorization header is not read).
    return { status: 401, body: { errors: ['You need to sign in or sign up before continuing.'] } };
  }
  const user = store.userByToken(token);
  if (!user) return { status: 401, body: { error: 'Invalid Access Token' } };
  const account = store.accounts.get(Number(accountParam));
  if (!account) return { status: 404, body: { error: 'Resource could not be found' } };
  const role = user.accounts.get(account.id);
  if (!role) return { status: 401, body: { error: 'You are not authorized to access this account' } };
  return { account, user, role };
}

