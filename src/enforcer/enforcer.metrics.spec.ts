import { describe, expect, it } from 'vitest';
import { EnforcerMetrics } from './enforcer.metrics.js';

describe('EnforcerMetrics', () => {
  it('exposes what was recorded, counting each event once across expositions', async () => {
    const metrics = new EnforcerMetrics();
    metrics.tickDuration.observe(0.02);
    metrics.restarts.inc({ reason: 'crash' });
    metrics.restarts.inc({ reason: 'crash' });
    metrics.starts.inc();
    metrics.tickFailures.inc();
    const first = await metrics.exposition();
    expect(first).toMatch(/^bisk_runner_restarts_total\{reason="crash"\} 2$/m);
    expect(first).toMatch(/^bisk_runner_restarts_total\{reason="drift"\} 0$/m);
    expect(first).toMatch(/^bisk_runner_starts_total 1$/m);
    expect(first).toMatch(/^bisk_enforcer_tick_failures_total 1$/m);
    expect(first).toMatch(/^bisk_enforcer_tick_duration_seconds_bucket\{le="0.025"\} 1$/m);
    expect(first).toMatch(/^bisk_enforcer_process_resident_memory_bytes \d+/m);
    metrics.starts.inc();
    const second = await metrics.exposition();
    expect(second).toMatch(/^bisk_runner_starts_total 2$/m);
    expect(second).toMatch(/^bisk_runner_restarts_total\{reason="crash"\} 2$/m);
    expect(second).toMatch(/^bisk_enforcer_tick_duration_seconds_count 1$/m);
  });
});
