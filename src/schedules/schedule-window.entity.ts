import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { CreatedAtColumn, UpdatedAtColumn } from '../database/columns.js';
import type { SchedulePolicy } from './schedule-policy.entity.js';
import type { StreamProfile } from './stream-profile.entity.js';

/** A weekly window: day 0 = Monday … 6 = Sunday, local wall-clock "HH:MM:SS" times (§3). */
@Entity('schedule_windows')
export class ScheduleWindow {
  @PrimaryGeneratedColumn() id: number;
  @Index() @Column({ type: 'integer' }) policyId: number;
  @ManyToOne('SchedulePolicy', (policy: SchedulePolicy) => policy.windows, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'policy_id' })
  policy: Relation<SchedulePolicy>;
  @Column({ type: 'smallint' }) dayOfWeek: number;
  @Column({ type: 'varchar', length: 8 }) startTime: string;
  @Column({ type: 'varchar', length: 8 }) endTime: string;
  @Index() @Column({ type: 'integer' }) profileId: number;
  @ManyToOne('StreamProfile', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'profile_id' })
  profile: Relation<StreamProfile>;
  @CreatedAtColumn() createdAt: Date;
  @UpdatedAtColumn() updatedAt: Date;
}
