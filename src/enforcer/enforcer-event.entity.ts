import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { EventKind } from '../common/domain.js';
import { InstantColumn } from '../database/columns.js';

/** Every enforcer action with a human reason. No foreign keys: the log outlives deleted cameras. */
@Entity('enforcer_events')
/** By kind, newest first (the console's filter) and by kind since an instant (restart tallies): see the EventKindIndexes migration. */
@Index('ix_enforcer_events_kind_id', ['kind', 'id'])
@Index('ix_enforcer_events_kind_ts', ['kind', 'ts'])
export class EnforcerEvent {
  @PrimaryGeneratedColumn() id: number;
  @Index() @InstantColumn() ts: Date;
  @Column({ type: 'varchar', length: 63 }) node: string;
  @Column({ type: 'varchar', length: 16 }) kind: EventKind;
  @Index() @Column({ type: 'integer', nullable: true }) cameraId: number | null;
  @Column({ type: 'integer', nullable: true }) profileId: number | null;
  @Column({ type: 'integer', nullable: true }) pid: number | null;
  @Column({ type: 'text', default: '' }) message: string;
}
