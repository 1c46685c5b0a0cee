import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { EventKind } from '../common/domain.js';
import { InstantColumn } from '../database/columns.js';

/** Every enforcer action with a human reason. No foreign keys: the log outlives deleted cameras. */
@Entity('enforcer_events')
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
