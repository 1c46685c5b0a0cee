import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { InstantColumn } from '../database/columns.js';

/** A sampled heartbeat (rate-limited per pair; errors sampled too). No foreign keys: history outlives its camera. */
@Entity('runner_heartbeats')
@Index('ix_runner_heartbeats_pair_ts', ['cameraId', 'profileId', 'ts'])
export class RunnerHeartbeat {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'integer' }) cameraId: number;
  @Column({ type: 'integer' }) profileId: number;
  @Column({ type: 'integer', nullable: true }) pid: number | null;
  @Index() @InstantColumn() ts: Date;
  @Column({ type: 'float', nullable: true }) cameraFps: number | null;
  @Column({ type: 'float', nullable: true }) processedFps: number | null;
  @Column({ type: 'float', nullable: true }) targetFps: number | null;
  @Column({ type: 'integer', nullable: true }) detected: number | null;
  @Column({ type: 'integer', nullable: true }) matched: number | null;
  @Column({ type: 'float', nullable: true }) latencyMs: number | null;
  @Column({ type: 'text', default: '' }) lastError: string;
  @Column({ type: 'integer', nullable: true }) snapshotEvery: number | null;
  @Column({ type: 'integer', nullable: true }) minFacePx: number | null;
}
