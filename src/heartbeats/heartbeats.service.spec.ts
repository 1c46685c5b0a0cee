import { describe, expect, it } from 'vitest';
import type { HeartbeatsRepository } from './heartbeats.repository.js';
import { HeartbeatsService } from './heartbeats.service.js';

/** The writer's answer to a database that refuses some of a batch (unit: a fake repository). */
describe('HeartbeatsService batch writes', () => {
  function serviceWith(writeBatch: HeartbeatsRepository['writeBatch']) {
    const repo = { writeBatch } as unknown as HeartbeatsRepository;
    const service = new HeartbeatsService(repo, {} as never, {} as never, {} as never, {} as never);
    const queue = service as unknown as { pendingRunners: Map<number, object>; pendingRows: object[] };
    return { service, queue, repo: repo as { writeBatch: HeartbeatsRepository['writeBatch'] } };
  }

  it('writes item by item and drops only what the database refuses, so one bad value does not stop the rest', async () => {
    const written: unknown[] = [];
    const { service, queue } = serviceWith(async (runners, rows) => {
      if (rows.some((r) => r.detected === -1)) throw Object.assign(new Error('value out of range for type integer'), { code: '22003' });
      written.push(...runners.keys(), ...rows.map((r) => r.detected));
    });
    queue.pendingRunners.set(7, { cameraFps: 25 });
    queue.pendingRows.push({ cameraId: 1, profileId: 1, detected: 1 }, { cameraId: 1, profileId: 1, detected: -1 }, { cameraId: 1, profileId: 1, detected: 3 });
    await service.flush();
    expect(written).toEqual([7, 1, 3]);
    expect(queue.pendingRows).toEqual([]);
    expect(queue.pendingRunners.size).toBe(0);
  });

  it('keeps the batch for the next flush when the database is unreachable', async () => {
    const { service, queue, repo } = serviceWith(async () => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    });
    queue.pendingRunners.set(7, { cameraFps: 25 });
    queue.pendingRows.push({ cameraId: 1, profileId: 1, detected: 1 });
    await service.flush();
    expect(queue.pendingRows).toHaveLength(1);
    expect(queue.pendingRunners.get(7)).toEqual({ cameraFps: 25 });
    repo.writeBatch = async () => {}; // the database is back: the retry timer drains the queue
    await service.onModuleDestroy();
    expect(queue.pendingRows).toEqual([]);
  });
});
