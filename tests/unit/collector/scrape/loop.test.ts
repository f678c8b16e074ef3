import assert from 'node:assert/strict';
import { ScrapeLoop } from '../../../../collector/scrape/loop';
import { ErrorEpisodes } from '../../../../collector/scrape/episodes';
import { flush, testContext } from '../helpers';

describe('ScrapeLoop', () => {
  it('never runs a scrape while the previous one is still running, and skips the ticks it overran', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let skipped = 0;
    const loop = new ScrapeLoop(async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      runs += 1;
      await flush(35); // longer than the 10 ms interval
      running -= 1;
    }, { intervalMs: 10, jitterRatio: 0, onOverrun: (n) => (skipped += n) });
    loop.start();
    await flush(200);
    await loop.stop(Date.now() + 100);
    assert.equal(maxRunning, 1);
    assert.ok(runs >= 3 && runs <= 7, `runs ${runs}`);
    assert.ok(skipped >= runs - 1, `skipped ${skipped}`);
  });

  it('stays on its grid: jitter offsets a tick but does not accumulate', async () => {
    const starts: number[] = [];
    const loop = new ScrapeLoop(() => {
      starts.push(Date.now());
      return Promise.resolve();
    }, { intervalMs: 40, jitterRatio: 0.25, random: () => 1 });
    const t0 = Date.now();
    loop.start();
    await flush(230);
    await loop.stop(Date.now() + 100);
    assert.ok(starts.length >= 4, `starts ${starts.length}`);
    // Tick k is due at t0 + 40k + 10: after 4 ticks the drift is bounded by timer lateness only.
    const last = starts[starts.length - 1] as number;
    const k = starts.length - 1;
    assert.ok(last - t0 >= 40 * k + 10 && last - t0 < 40 * k + 10 + 25, `tick ${k} at ${last - t0} ms`);
  });

  it('aborts an in-flight scrape on stop and waits for it until the deadline only', async () => {
    let aborted = false;
    const loop = new ScrapeLoop((signal) => new Promise<void>((resolve) => {
      signal.addEventListener('abort', () => {
        aborted = true;
        setTimeout(resolve, 5000); // a scrape that ignores the abort
      });
    }), { intervalMs: 10, jitterRatio: 0 });
    loop.start();
    await flush(20);
    const t = Date.now();
    await loop.stop(Date.now() + 50);
    assert.ok(aborted);
    assert.ok(Date.now() - t < 500);
  });

  it('is safe to stop without start, and twice', async () => {
    const loop = new ScrapeLoop(() => Promise.resolve(), { intervalMs: 10, jitterRatio: 0 });
    await loop.stop(Date.now());
    await loop.stop(Date.now());
  });
});

describe('ErrorEpisodes', () => {
  it('counts every failure but logs once per episode, and once on recovery', async () => {
    const t = testContext();
    const e = new ErrorEpisodes(t.ctx.logger, t.ctx.telemetry);
    for (let i = 0; i < 5; i++) e.fail('cadvisor', 'cadvisor_unreachable', new Error('ECONNREFUSED'));
    assert.equal(await t.errors('cadvisor_unreachable'), 5);
    assert.equal(t.warnings.length, 1);
    e.ok('cadvisor');
    e.fail('cadvisor', 'cadvisor_unreachable', new Error('again'));
    assert.equal(t.warnings.length, 2);
  });

  it('forgets the episode of a target that went away without logging a recovery', () => {
    const t = testContext();
    const e = new ErrorEpisodes(t.ctx.logger, t.ctx.telemetry);
    e.fail('c1', 'x', 'boom');
    e.forget('c1');
    assert.equal(e.isActive('c1'), false);
  });

  it('tracks at most maxKeys episodes, still counting the failures it does not track', async () => {
    const t = testContext();
    const e = new ErrorEpisodes(t.ctx.logger, t.ctx.telemetry, 2);
    for (const key of ['c1', 'c2', 'c3']) e.fail(key, 'x', 'boom');
    assert.equal(await t.errors('x'), 3);
    assert.equal(t.warnings.length, 2);
    assert.equal(e.isActive('c3'), false);
    e.forget('c1');
    e.fail('c3', 'x', 'boom');
    assert.equal(e.isActive('c3'), true);
  });
});
