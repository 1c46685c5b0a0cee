import { Column, Entity, ManyToMany, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import type { CameraTransport, DetectionSet } from '../common/domain.js';
import { CreatedAtColumn, InstantColumn, UpdatedAtColumn } from '../database/columns.js';
import type { SchedulePolicy } from '../schedules/schedule-policy.entity.js';

/** What and where: one stream. How it is analysed comes from profiles and schedules. */
@Entity('cameras')
export class Camera {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar', length: 100, unique: true }) name: string;
  /** Any ffmpeg input: rtsp://, http://, a file path. Stored as given; masked on the way out. */
  @Column({ type: 'varchar', length: 2048 }) rtspUrl: string;
  @Column({ type: 'varchar', length: 200, default: '' }) location: string;
  @Column({ type: 'boolean', default: true }) isActive: boolean;
  @InstantColumn({ nullable: true }) pauseUntil: Date | null;
  @Column({ type: 'varchar', length: 8, default: 'auto' }) rtspTransport: CameraTransport;
  @Column({ type: 'integer', default: 10 }) hbInterval: number;
  @Column({ type: 'integer', default: 3 }) snapshotEvery: number;
  @Column({ type: 'boolean', default: false }) preferCameraOverProfile: boolean;
  @Column({ type: 'float', nullable: true }) targetFpsReq: number | null;
  @Column({ type: 'varchar', length: 8, nullable: true }) detSetReq: DetectionSet | null;
  /** Pinned host (§9); null = any live node. */
  @Column({ type: 'varchar', length: 63, nullable: true }) node: string | null;
  @ManyToMany('SchedulePolicy', (policy: SchedulePolicy) => policy.cameras) policies: Relation<SchedulePolicy>[];
  @CreatedAtColumn() createdAt: Date;
  @UpdatedAtColumn() updatedAt: Date;
}
