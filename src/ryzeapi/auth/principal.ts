/** Who is calling: a TokenAccount (instance null) or a TokenInstance of one instance. */
export interface Principal {
  accountId: string;
  instance: { id: string; name: string } | null;
}

/** `instance-or-bridge`: as `instance`, or `Authorization: Bearer <BRIDGE_TOKEN>` (then no principal: any instance). */
export type Access = 'public' | 'account' | 'instance' | 'instance-or-bridge' | 'any';
