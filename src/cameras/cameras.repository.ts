import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { EntityRepository } from '../database/entity.repository.js';
import { Camera } from './camera.entity.js';

@Injectable()
export class CamerasRepository extends EntityRepository<Camera> {
  constructor(@InjectRepository(Camera) repo: Repository<Camera>) {
    super(repo);
  }
}
