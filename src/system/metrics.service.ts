import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { RUNNER_STATUSES } from '../common/domain.js';
import { Breadcrumbs } from '../enforcer/breadcrumbs.js';
import { Runner } from '../enforcer/runner.entity.js';
import { enforcerLiveness } from '../enforcer/status.service.js';
import { AppConfig } from '../config/app-config.js';

/**
 * Prometheus metrics of the HTTP app (`bisk_` prefix, base units, `_total` counters, labels
 * only from fixed sets), plus the enforcer process's own metrics taken from the state store.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly heartbeats = new Counter({ name: 'bisk_heartbeats_received_total', help: 'Runner heartbeats accepted.', registers: [this.registry] });

  constructor(
    private readonly breadcrumbs: Breadcrumbs,
    @InjectDataSource() dataSource: DataSource,
    config: AppConfig,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'bisk_' });
    const crumbs = breadcrumbs;
    new Gauge({
      name: 'bisk_runners',
      help: 'Runner rows by state.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        const rows = await dataSource.getRepository(Runner).createQueryBuilder('r').select(['r.status AS "status"', 'COUNT(*) AS "count"']).groupBy('r.status').getRawMany<{ status: string; count: string | number }>();
        for (const state of RUNNER_STATUSES) this.set({ state }, Number(rows.find((r) => r.status === state)?.count ?? 0));
      },
    });
    new Gauge({
      name: 'bisk_enforcer_last_ok_timestamp_seconds',
      help: 'Unix time of the enforcer’s last successful tick (0 if none).',
      registers: [this.registry],
      async collect() {
        const lastOk = (await crumbs.read()).lastOk;
        this.set(lastOk ? Date.parse(lastOk) / 1000 : 0);
      },
    });
    new Gauge({
      name: 'bisk_enforcer_up',
      help: '1 when an enforcer is running and started a tick within three intervals (and 5 s).',
      registers: [this.registry],
      async collect() {
        this.set(enforcerLiveness(await crumbs.read(), new Date(), config.enforcer.intervalSeconds).alive ? 1 : 0);
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async exposition(): Promise<string> {
    const [own, enforcer] = await Promise.all([this.registry.metrics(), this.breadcrumbs.enforcerMetrics()]);
    return enforcer ? `${own}\n${enforcer}` : own;
  }
}
