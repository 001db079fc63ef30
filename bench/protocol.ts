/** Messages between the benchmark driver (the server's process) and its client process. */
export type ClientCommand =
  | { id: number; cmd: 'createInstances'; baseUrl: string; token: string; names: string[]; concurrency: number }
  | { id: number; cmd: 'connectMany'; wsUrl: string; bridgeToken: string; names: string[]; concurrency: number }
  | { id: number; cmd: 'closeMany' }
  | { id: number; cmd: 'consume'; wsUrl: string; bridgeToken: string; name: string; expect: number; tag: number }
  | { id: number; cmd: 'stop' };

export interface ConsumeResult {
  /** Receive time (nowMs) of the event with each index. */
  received: Float64Array;
  connectStartedAt: number;
  helloAt: number;
  lastAt: number;
  frames: number;
  acksSent: number;
  duplicates: number;
  gaps: number;
  /** CPU time (user + system, microseconds) the client process spent from connect to the last event. */
  cpuMicros: number;
}

export type ClientReply =
  | { type: 'ready'; bridgeUrl: string }
  | { type: 'progress'; id: number; what: string }
  | { type: 'done'; id: number; result?: unknown; error?: string };
