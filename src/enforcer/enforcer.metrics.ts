import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Metrics the enforcer process owns (tick durations, restarts by reason, its own process
 * figures). After every tick the loop stores their text exposition in the shared cache, and
 * the HTTP app's /metrics appends it: one scrape sees both processes.
 */
@Injectable()
export class EnforcerMetrics {
  readonly registry = new Registry();
  readonly tickDuration = new Histogram({
    name: 'bisk_enforcer_tick_duration_seconds',
    help: 'Duration of enforcer ticks (observe, plan, execute).',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly restarts = new Counter({
    name: 'bisk_runner_restarts_total',
    help: 'Runner restarts by reason (crash: exited on its own; stall: no heartbeats; drift: settings changed).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly starts = new Counter({ name: 'bisk_runner_starts_total', help: 'Runner processes started.', registers: [this.registry] });
  readonly tickFailures = new Counter({ name: 'bisk_enforcer_tick_failures_total', help: 'Ticks that failed (e.g. database unreachable).', registers: [this.registry] });

  constructor() {
    for (const reason of ['crash', 'stall', 'drift']) this.restarts.inc({ reason }, 0);
    collectDefaultMetrics({ register: this.registry, prefix: 'bisk_enforcer_' });
  }
}
