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

  it('scrapes one offset after start, then on a wall-clock grid with one fixed offset: one interval apart, early in each interval', async () => {
    const starts: number[] = [];
    let draws = 0;
    const loop = new ScrapeLoop(() => {
      starts.push(Date.now());
      return Promise.resolve();
    }, { intervalMs: 40, jitterRatio: 0.25, random: () => (draws++, 1) });
    loop.start();
    await flush(260);
    await loop.stop(Date.now() + 100);
    assert.equal(draws, 1, 'the offset is drawn once, not per tick');
    assert.ok(starts.length >= 5, `starts ${starts.length}`);
    // Offset (0.02 + 0.25)·40 = 10.8 ms into every 40 ms of the epoch. Timer lateness delays a
    // tick; Node may fire a timer up to a millisecond early (its ms rounding), hence the 2 ms.
    for (const t of starts.slice(1)) {
      const phase = (((t - 10.8 + 2) % 40) + 40) % 40;
      assert.ok(phase < 17, `tick ${phase - 2} ms off its grid point`);
    }
    assert.ok((starts[1] as number) - (starts[0] as number) >= 20, 'the second scrape waits at least half an interval');
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
