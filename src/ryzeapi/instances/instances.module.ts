import { Module } from '@nestjs/common';
import { InstanceLock } from './instance.lock.js';
import { InstancesService } from './instances.service.js';

@Module({ providers: [InstancesService, InstanceLock], exports: [InstancesService, InstanceLock] })
export class InstancesModule {}
