import { Injectable } from '@nestjs/common';
import { ClusterLocks } from '../cluster/cluster-locks.js';

/**
 * One instance's lifecycle changes (create's inline activation, delete, its integration's set and
 * delete) run one at a time on all nodes, so racing calls leave one consistent state. Not reentrant.
 */
@Injectable()
export class InstanceLock {
  constructor(private readonly locks: ClusterLocks) {}

  run<T>(instanceId: string, task: () => Promise<T>): Promise<T> {
    // The key predates this class (it was the integration's lock): nodes of both versions agree on it.
    return this.locks.run(`chatwoot:${instanceId}`, task);
  }
}
