import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation, Unique } from 'typeorm';
import type { Camera } from '../cameras/camera.entity.js';
import type { RunnerStatus } from '../common/domain.js';
import { CreatedAtColumn, InstantColumn, UpdatedAtColumn } from '../database/columns.js';
import type { StreamProfile } from '../schedules/stream-profile.entity.js';

/** One supervised process per (camera, profile, node), with what is needed to adopt or signal it safely. */
@Entity('runners')
@Unique('uq_runners_pair_node', ['cameraId', 'profileId', 'node'])
/** One active row per pair across all nodes (§9): the database arbitrates a start two nodes race for. */
@Index('uq_runners_active_pair', ['cameraId', 'profileId'], { unique: true, where: "status IN ('starting', 'running', 'stopping')" })
/** A tick reads its own node's rows (see the WorldVersion migration). */
@Index('ix_runners_node', ['node'])
export class Runner {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'integer' }) cameraId: number;
  @ManyToOne('Camera', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'camera_id' })
  camera: Relation<Camera>;
  @Index() @Column({ type: 'integer' }) profileId: number;
  @ManyToOne('StreamProfile', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'profile_id' })
  profile: Relation<StreamProfile>;
  @Column({ type: 'varchar', length: 63 }) node: string;
  @Column({ type: 'integer', nullable: true }) pid: number | null;
  /** Kernel start time (clock ticks since boot, /proc/<pid>/stat field 22): guards against PID reuse. */
  @Column({ type: 'varchar', length: 32, nullable: true }) processStartTime: string | null;
  @Column({ type: 'varchar', length: 16, default: 'starting' }) status: RunnerStatus;
  @InstantColumn({ nullable: true }) startedAt: Date | null;
  @InstantColumn({ nullable: true }) lastHeartbeatAt: Date | null;
  /** argv as started, credentials masked. */
  @Column({ type: 'simple-json', nullable: true }) effectiveArgs: string[] | null;
  @Column({ type: 'varchar', length: 64, default: '' }) specHash: string;
  @Column({ type: 'integer', default: 0 }) restartCount: number;
  /** Consecutive short-lived exits; drives the crash back-off and resets after a stable minute. */
  @Column({ type: 'integer', default: 0 }) crashCount: number;
  @InstantColumn({ nullable: true }) lastExitAt: Date | null;
  @Column({ type: 'integer', nullable: true }) lastExitCode: number | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) lastExitSignal: string | null;
  @Column({ type: 'text', default: '' }) lastError: string;
  @Column({ type: 'float', nullable: true }) cameraFps: number | null;
  @Column({ type: 'float', nullable: true }) processedFps: number | null;
  @Column({ type: 'float', nullable: true }) targetFps: number | null;
  @Column({ type: 'integer', nullable: true }) snapshotEvery: number | null;
  @CreatedAtColumn() createdAt: Date;
  @UpdatedAtColumn() updatedAt: Date;
}
