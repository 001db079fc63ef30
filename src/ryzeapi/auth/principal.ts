/** Who is calling: a TokenAccount (instance null) or a TokenInstance of one instance. */
export interface Principal {
  accountId: string;
  instance: { id: string; name: string } | null;
}

export type Access = 'public' | 'account' | 'instance' | 'any';
