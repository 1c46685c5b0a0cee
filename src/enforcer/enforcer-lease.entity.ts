import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per node: which enforcer manages that node's runners, until when. Stops two
 * enforcers that use different lock files from both managing the same node (§5).
 * Times are epoch milliseconds so both engines compare them the same way.
 */
@Entity('enforcer_leases')
export class EnforcerLease {
  @PrimaryColumn({ type: 'varchar', length: 63 }) node: string;
  /** "host:pid:kernel start time:random" (EnforcerLock.holder) — one enforcer process, and whether it still lives on its host. */
  @Column({ type: 'varchar', length: 200 }) holder: string;
  @Column({ type: 'integer' }) pid: number;
  @Column({ type: 'varchar', length: 32, default: '' }) version: string;
  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } }) acquiredAt: number;
  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } }) renewedAt: number;
  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } }) expiresAt: number;
}
