import { Column, Entity, JoinTable, ManyToMany, OneToMany, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import type { Camera } from '../cameras/camera.entity.js';
import { CreatedAtColumn, UpdatedAtColumn } from '../database/columns.js';
import type { ScheduleException } from './schedule-exception.entity.js';
import type { ScheduleWindow } from './schedule-window.entity.js';

/** Which cameras, in which weekly windows (each naming a profile), with date exceptions. */
@Entity('schedule_policies')
export class SchedulePolicy {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar', length: 100, unique: true }) name: string;
  @Column({ type: 'boolean', default: true }) isEnabled: boolean;
  @Column({ type: 'text', default: '' }) notes: string;
  @ManyToMany('Camera', (camera: Camera) => camera.policies, { onDelete: 'CASCADE' })
  @JoinTable({
    name: 'schedule_policy_cameras',
    joinColumn: { name: 'policy_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'camera_id', referencedColumnName: 'id' },
  })
  cameras: Relation<Camera>[];
  @OneToMany('ScheduleWindow', (window: ScheduleWindow) => window.policy) windows: Relation<ScheduleWindow>[];
  @OneToMany('ScheduleException', (exception: ScheduleException) => exception.policy)
  exceptions: Relation<ScheduleException>[];
  @CreatedAtColumn() createdAt: Date;
  @UpdatedAtColumn() updatedAt: Date;
}
