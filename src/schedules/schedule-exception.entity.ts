import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation, Unique } from 'typeorm';
import type { ExceptionMode } from '../common/domain.js';
import { CreatedAtColumn, UpdatedAtColumn } from '../database/columns.js';
import type { SchedulePolicy } from './schedule-policy.entity.js';
import type { StreamProfile } from './stream-profile.entity.js';

/** Replaces a policy's whole schedule for one local date (§3): off, on, or one window. */
@Entity('schedule_exceptions')
@Unique('uq_schedule_exceptions_policy_date', ['policyId', 'date'])
export class ScheduleException {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'integer' }) policyId: number;
  @ManyToOne('SchedulePolicy', (policy: SchedulePolicy) => policy.exceptions, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'policy_id' })
  policy: Relation<SchedulePolicy>;
  /** Local calendar date, "YYYY-MM-DD". */
  @Column({ type: 'varchar', length: 10 }) date: string;
  @Column({ type: 'varchar', length: 8 }) mode: ExceptionMode;
  @Column({ type: 'varchar', length: 8, nullable: true }) startTime: string | null;
  @Column({ type: 'varchar', length: 8, nullable: true }) endTime: string | null;
  @Index() @Column({ type: 'integer', nullable: true }) profileId: number | null;
  @ManyToOne('StreamProfile', { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'profile_id' })
  profile: Relation<StreamProfile> | null;
  @CreatedAtColumn() createdAt: Date;
  @UpdatedAtColumn() updatedAt: Date;
}
