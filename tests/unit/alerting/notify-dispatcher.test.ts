import assert from 'node:assert/strict';
import { RetryableError } from '../../../core/delivery';
import { Dispatcher, ManualScheduler, type NotifyAlert, type Receiver, type RouteOptions, type WebhookPayload } from '../../../alerting/notify';

class RecordingReceiver implements Receiver {
  readonly maxAlerts = 0;
  readonly sent: Array<{ atMs: number; payload: WebhookPayload }> = [];
  failuresLeft = 0;
  attempts = 0;

  constructor(private readonly clock: ManualScheduler, readonly sendResolved = true, readonly name = 'hook') {}

  notify(payload: WebhookPayload): Promise<void> {
    this.attempts += 1;
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      return Promise.reject(new RetryableError('HTTP 503'));
    }
    this.sent.push({ atMs: this.clock.now(), payload });
    return Promise.resolve();
  }

  summary(): string[] {
    return this.sent.map((s) => `${s.atMs / 1000}s ${s.payload.status} ${s.payload.alerts.map((a) => `${a.labels['pod']}:${a.status}`).join(',')}`);
  }
}

function alert(pod: string, startsAtMs: number, endsAtMs = 0, alertname = 'HighCpu'): NotifyAlert {
  return { fingerprint: `${alertname}/${pod}`, labels: { alertname, pod }, annotations: {}, startsAtMs, endsAtMs, generatorURL: '' };
}

const ROUTE: RouteOptions = { groupBy: ['alertname'], groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 3_600_000, externalURL: 'http://cargoscope' };

function setup(route: RouteOptions = ROUTE, sendResolved = true): { clock: ManualScheduler; hook: RecordingReceiver; d: Dispatcher } {
  const clock = new ManualScheduler(0);
  const hook = new RecordingReceiver(clock, sendResolved);
  return { clock, hook, d: new Dispatcher(route, [hook], clock) };
}

describe('notification dispatcher (Alertmanager aggregation groups)', () => {
  it('waits group_wait and sends the alerts that arrived meanwhile together', async () => {
    const { clock, hook, d } = setup();
    d.insert([alert('a', 0)]);
    await clock.advance(10_000);
    d.insert([alert('b', 10_000)]);
    await clock.advance(19_999);
    assert.equal(hook.sent.length, 0);
    await clock.advance(1);
    assert.deepEqual(hook.summary(), ['30s firing a:firing,b:firing']);
    await d.stop();
  });

  it('keeps one group per group_by value', async () => {
    const { clock, hook, d } = setup();
    d.insert([alert('a', 0), alert('b', 0, 0, 'LowMemory')]);
    await clock.advance(30_000);
    assert.deepEqual(hook.sent.map((s) => s.payload.groupKey).sort(), ['{}:{alertname="HighCpu"}', '{}:{alertname="LowMemory"}']);
    await d.stop();
  });

  it('sends a new alert in a flushed group at the next group_interval, not at once', async () => {
    const { clock, hook, d } = setup();
    d.insert([alert('a', 0)]);
    await clock.advance(30_000);
    d.insert([alert('a', 0), alert('b', 60_000)]);
    await clock.advance(299_000);
    assert.equal(hook.sent.length, 1);
    await clock.advance(1_000);
    assert.deepEqual(hook.summary(), ['30s firing a:firing', '330s firing a:firing,b:firing']);
    await d.stop();
  });

  it('dedupes unchanged groups until repeat_interval', async () => {
    const { clock, hook, d } = setup();
    d.insert([alert('a', 0)]);
    await clock.advance(30_000 + 3_600_000 - 1);
    assert.equal(hook.sent.length, 1);
    await clock.advance(300_000);
    assert.equal(hook.sent.length, 2);
    await d.stop();
  });

  it('sends a resolved notice, then forgets the group', async () => {
    const { clock, hook, d } = setup();
    d.insert([alert('a', 0)]);
    await clock.advance(30_000);
    d.insert([alert('a', 0, 100_000)]);
    await clock.advance(300_000);
    assert.deepEqual(hook.summary(), ['30s firing a:firing', '330s resolved a:resolved']);
    assert.equal(d.groupCount, 0);
    await d.stop();
  });

  it('without send_resolved stays quiet when everything resolved', async () => {
    const { clock, hook, d } = setup(ROUTE, false);
    d.insert([alert('a', 0), alert('b', 0)]);
    await clock.advance(30_000);
    d.insert([alert('a', 0, 50_000)]);
    await clock.advance(300_000);
    d.insert([alert('b', 0, 400_000)]);
    await clock.advance(300_000);
    assert.deepEqual(hook.summary(), ['30s firing a:firing,b:firing']);
    await d.stop();
  });

  it('retries a failing receiver within the group interval and logs only the success', async () => {
    const { clock, hook, d } = setup({ ...ROUTE, retry: { initialBackoffMs: 1000, maxBackoffMs: 8000, jitter: 0 } });
    hook.failuresLeft = 3;
    d.insert([alert('a', 0)]);
    await clock.advance(30_000 + 1000 + 2000 + 4000);
    assert.equal(hook.attempts, 4);
    assert.deepEqual(hook.summary(), ['37s firing a:firing']);
    await clock.advance(300_000);
    assert.equal(hook.sent.length, 1, 'a delivered notification is not repeated before repeat_interval');
    await d.stop();
  });

  it('keeps trying at every group interval while the receiver stays down', async () => {
    const { clock, hook, d } = setup({ ...ROUTE, groupWaitMs: 1000, groupIntervalMs: 10_000, retry: { initialBackoffMs: 2000, maxBackoffMs: 2000, jitter: 0 } });
    hook.failuresLeft = 1_000;
    d.insert([alert('a', 0)]);
    await clock.advance(60_000);
    assert.equal(hook.sent.length, 0);
    hook.failuresLeft = 0;
    await clock.advance(12_000);
    assert.equal(hook.sent.length, 1);
    assert.ok(hook.attempts > 6);
    await d.stop();
  });

  it('flushes at once an alert older than group_wait', async () => {
    const { clock, hook, d } = setup();
    await clock.advance(100_000);
    d.insert([alert('a', 0)]);
    await clock.advance(0);
    assert.equal(hook.sent.length, 1);
    await d.stop();
  });
});
