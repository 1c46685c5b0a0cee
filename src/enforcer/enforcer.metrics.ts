import { Injectable } from '@nestjs/common';
import type { Counter, Histogram, Registry } from 'prom-client';

const RESTART_REASONS = ['crash', 'stall', 'drift'] as const;

interface Exporter {
  registry: Registry;
  tickDuration: Histogram;
  restarts: Counter<'reason'>;
  starts: Counter;
  tickFailures: Counter;
}

/**
 * Metrics the enforcer process owns (tick durations, restarts by reason, its own process
 * figures). The tick records plain numbers; prom-client is loaded when the exposition is first
 * asked for — by the scheduler after each tick, which stores it in the state store for the
 * HTTP app's /metrics to append (one scrape sees both processes) — so a one-shot command never
 * loads it (about 60 ms of start-up, bench/RESULTS.md).
 */
@Injectable()
export class EnforcerMetrics {
  private durations: number[] = [];
  private readonly pending = { restarts: new Map<string, number>(), starts: 0, tickFailures: 0 };
  private exporter: Promise<Exporter> | null = null;

  readonly tickDuration = { observe: (seconds: number) => void this.durations.push(seconds) };
  readonly restarts = { inc: ({ reason }: { reason: string }) => void this.pending.restarts.set(reason, (this.pending.restarts.get(reason) ?? 0) + 1) };
  readonly starts = { inc: () => void this.pending.starts++ };
  readonly tickFailures = { inc: () => void this.pending.tickFailures++ };

  /** Prometheus text exposition of everything recorded so far. */
  async exposition(): Promise<string> {
    const e = await (this.exporter ??= this.createExporter());
    for (const seconds of this.durations.splice(0)) e.tickDuration.observe(seconds);
    for (const [reason, n] of this.pending.restarts) e.restarts.inc({ reason }, n);
    this.pending.restarts.clear();
    e.starts.inc(this.pending.starts);
    e.tickFailures.inc(this.pending.tickFailures);
    this.pending.starts = 0;
    this.pending.tickFailures = 0;
    return e.registry.metrics();
  }

  private async createExporter(): Promise<Exporter> {
    const { collectDefaultMetrics, Counter, Histogram, Registry } = await import('prom-client');
    const registry = new Registry();
    const exporter: Exporter = {
      registry,
      tickDuration: new Histogram({
        name: 'bisk_enforcer_tick_duration_seconds',
        help: 'Duration of enforcer ticks (observe, plan, execute).',
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
      restarts: new Counter({
        name: 'bisk_runner_restarts_total',
        help: 'Runner restarts by reason (crash: exited on its own; stall: no heartbeats; drift: settings changed).',
        labelNames: ['reason'] as const,
        registers: [registry],
      }),
      starts: new Counter({ name: 'bisk_runner_starts_total', help: 'Runner processes started.', registers: [registry] }),
      tickFailures: new Counter({ name: 'bisk_enforcer_tick_failures_total', help: 'Ticks that failed (e.g. database unreachable).', registers: [registry] }),
    };
    for (const reason of RESTART_REASONS) exporter.restarts.inc({ reason }, 0);
    collectDefaultMetrics({ register: registry, prefix: 'bisk_enforcer_' });
    return exporter;
  }
}
