/**
 * One measured process of the collector-metrics bench (forked by collector-metrics.bench.ts), so
 * the parent can read its CPU and RSS from /proc exactly as it reads cAdvisor's:
 *   node collector-metrics-child.js source   a CgroupSource at a 10 s interval; batches counted, dropped
 *   node collector-metrics-child.js idle     the same modules loaded, nothing started: Node's baseline
 * IPC: the child sends `{ type: 'ready' }`, then answers `{ type: 'report' }` with a ChildReport.
 */
import type { Event } from '../../core/event';
import { cgroupSourceSchema } from '../../collector/sources/cgroup/config';
import { CgroupSource } from '../../collector/sources/cgroup/source';
import { testContext } from '../unit/collector/helpers';

export interface ChildReport {
  readonly type: 'report';
  readonly scrapes: number;
  readonly containersInLastBatch: number;
  readonly errors: number;
}

async function main(mode: string): Promise<void> {
  const t = testContext('cgroup');
  let scrapes = 0;
  let containersInLastBatch = 0;
  // Batches are dropped, not kept: a real collector hands them on, and keeping them would be our RSS.
  const ctx = {
    ...t.ctx,
    emit: (event: Event): Promise<void> => {
      if (event.type === 'metrics') {
        scrapes += 1;
        containersInLastBatch = event.containers.length;
      }
      return Promise.resolve();
    },
  };
  const source = new CgroupSource(cgroupSourceSchema.parse({ interval_secs: 10, discovery: { mode: 'docker' } }));
  if (mode === 'source') await source.start(ctx);
  else if (mode !== 'idle') throw new Error(`unknown mode ${mode}`);
  process.on('message', (msg: { type?: string }) => {
    if (msg.type === 'report') {
      void t.errors().then((errors) => {
        const report: ChildReport = { type: 'report', scrapes, containersInLastBatch, errors };
        process.send?.(report);
      });
    } else if (msg.type === 'stop') {
      void source.shutdown(Date.now() + 2000).then(() => process.exit(0));
    }
  });
  process.send?.({ type: 'ready' });
}

main(process.argv[2] ?? 'source').catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
