import { Module } from '@nestjs/common';
import { InstanceAccessGuard } from './instance-access.guard.js';
import { InstanceLock } from './instance.lock.js';
import { InstancesRepository } from './instances.repository.js';
import { InstancesService } from './instances.service.js';

@Module({
  providers: [InstancesRepository, InstancesService, InstanceLock, InstanceAccessGuard],
  exports: [InstancesService, InstanceLock, InstanceAccessGuard],
})
export class InstancesModule {}
