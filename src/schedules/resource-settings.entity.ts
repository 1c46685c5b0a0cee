import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import type { Camera } from '../cameras/camera.entity.js';
import type { DetectionSet, Device, Hwaccel } from '../common/domain.js';
import { CreatedAtColumn, UpdatedAtColumn } from '../database/columns.js';

/**
 * Placement and caps. The row with cameraId null is the global one (created by the first
 * migration); a row with a cameraId overrides it for that camera, null fields inheriting.
 */
@Entity('resource_settings')
export class ResourceSettings {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'integer', nullable: true, unique: true }) cameraId: number | null;
  @ManyToOne('Camera', { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'camera_id' })
  camera: Relation<Camera> | null;
  @Column({ type: 'varchar', length: 8, nullable: true }) device: Device | null;
  @Column({ type: 'varchar', length: 8, nullable: true }) hwaccel: Hwaccel | null;
  @Column({ type: 'integer', nullable: true }) gpuIndex: number | null;
  @Column({ type: 'integer', nullable: true }) cpuNice: number | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) cpuAffinity: string | null;
  @Column({ type: 'float', nullable: true }) maxFps: number | null;
  @Column({ type: 'varchar', length: 8, nullable: true }) detSetMax: DetectionSet | null;
  @Column({ type: 'boolean', default: true }) isActive: boolean;
  @CreatedAtColumn() createdAt: Date;
  @UpdatedAtColumn() updatedAt: Date;
}
