import { Global, Module } from '@nestjs/common';
import { ClusterLocks } from './cluster-locks.js';
import { ClusterPool } from './cluster-pool.js';

/** What lets several nodes share one PostgreSQL (and costs nothing on the embedded database). */
@Global()
@Module({ providers: [ClusterPool, ClusterLocks], exports: [ClusterPool, ClusterLocks] })
export class ClusterModule {}
