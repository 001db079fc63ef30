import { Module } from '@nestjs/common';
import { ClusterModule } from '../cluster/cluster.module.js';
import { InstanceAccessGuard } from './instance-access.guard.js';
import { InstanceLock } from './instance.lock.js';
import { InstancesRepository } from './instances.repository.js';
import { InstancesService } from './instances.service.js';

@Module({
  imports: [ClusterModule],
  providers: [InstancesRepository, InstancesService, InstanceLock, InstanceAccessGuard],
  exports: [InstancesService, InstanceLock, InstanceAccessGuard],
})
export class InstancesModule {}
