import { Module } from '@nestjs/common';
import { ClusterBus } from './cluster-bus.js';
import { ClusterLocks } from './cluster-locks.js';
import { ClusterPool } from './cluster-pool.js';
import { NodeRegistry } from './node-registry.js';
import { NodesRepository } from './nodes.repository.js';

/** What lets several nodes share one PostgreSQL (and costs nothing on the embedded database). */
@Module({ providers: [ClusterPool, ClusterLocks, ClusterBus, NodesRepository, NodeRegistry], exports: [ClusterPool, ClusterLocks, ClusterBus, NodeRegistry] })
export class ClusterModule {}
