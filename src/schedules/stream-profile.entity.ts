import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { DetectionSet, ProfileTransport } from '../common/domain.js';
import { CreatedAtColumn, UpdatedAtColumn } from '../database/columns.js';

export type ExtraArgs = Record<string, string | number | boolean | null>;

/** How to run: fps, detector size, transport, heartbeat cadence, extra runner arguments. */
@Entity('stream_profiles')
export class StreamProfile {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar', length: 100, unique: true }) name: string;
  @Column({ type: 'float', default: 6 }) fps: number;
  @Column({ type: 'varchar', length: 8, default: 'auto' }) detectionSet: DetectionSet;
  @Column({ type: 'varchar', length: 8, default: '' }) rtspTransport: ProfileTransport;
  @Column({ type: 'integer', default: 10 }) hbInterval: number;
  @Column({ type: 'integer', default: 3 }) snapshotEvery: number;
  @Column({ type: 'simple-json' }) extraArgs: ExtraArgs;
  @Column({ type: 'boolean', default: true }) isActive: boolean;
  @CreatedAtColumn() createdAt: Date;
  @UpdatedAtColumn() updatedAt: Date;
}
