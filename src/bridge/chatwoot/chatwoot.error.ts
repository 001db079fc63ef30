/**
 * A failed Chatwoot call: Chatwoot's HTTP status (0 when it could not be reached or timed out) and
 * its own text. Never carries the API token.
 */
export class ChatwootError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(status ? `Chatwoot answered HTTP ${status}: ${detail}` : `Chatwoot unreachable: ${detail}`);
    this.name = 'ChatwootError';
  }

  /** Worth retrying later: Chatwoot down, slow, overloaded or rate limiting. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }

  /** Chatwoot rejects the token itself, or its permissions: the operator must act. */
  get credentials(): boolean {
    return this.status === 401 || this.status === 403;
  }
}
