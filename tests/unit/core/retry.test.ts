import assert from 'node:assert/strict';
import {
  backoffDelay, classifyError, DeadlineExceededError, errorForHttpStatus, parseRetryAfter, PermanentError, retry,
  RetryableError, withTimeout, type RetryPolicy,
} from '../../../core/delivery';

const policy: RetryPolicy = { initialBackoffMs: 100, maxBackoffMs: 1000, multiplier: 2, jitter: 0, deadlineMs: 10_000, maxAttempts: Infinity };

/** A virtual clock: sleeps advance time instantly so deadlines are tested without waiting. */
function virtualClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    hooks: { now: () => now, sleep: (ms: number) => ((now += ms), sleeps.push(ms), Promise.resolve()) },
  };
}

describe('error classification', () => {
  it('treats network errors, 408, 429 and 5xx as retryable', () => {
    assert.equal(classifyError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })), 'retryable');
    for (const status of [408, 429, 500, 503]) assert.ok(errorForHttpStatus(status, '') instanceof RetryableError, String(status));
  });

  it('treats other 4xx as permanent with a bounded reason code', () => {
    const err = errorForHttpStatus(400, 'mapper_parsing_exception');
    assert.ok(err instanceof PermanentError);
    assert.equal(err.reason, 'http_400');
    assert.equal(errorForHttpStatus(204, ''), null);
  });

  it('never classifies a programmer error as retryable', () => {
    assert.equal(classifyError(new TypeError('undefined is not a function')), 'bug');
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
});

describe('retry', () => {
  it('backs off exponentially up to the cap', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n)), [100, 200, 400, 800, 1000]);
  });

  it('applies full jitter within [0, backoff]', () => {
    const jittered = { ...policy, jitter: 1 };
    assert.equal(backoffDelay(jittered, 3, () => 0), 400);
    assert.equal(backoffDelay(jittered, 3, () => 0.999), 0);
  });

  it('retries retryable errors until success', async () => {
    const clock = virtualClock();
    let calls = 0;
    const result = await retry(policy, () => (++calls < 3 ? Promise.reject(new RetryableError('busy')) : Promise.resolve('ok')), undefined, clock.hooks);
    assert.equal(result, 'ok');
    assert.deepEqual(clock.sleeps, [100, 200]);
  });

  it('does not retry permanent errors or bugs', async () => {
    for (const err of [new PermanentError('bad', 'http_400'), new TypeError('bug')]) {
      let calls = 0;
      await assert.rejects(retry(policy, () => (calls++, Promise.reject(err)), undefined, virtualClock().hooks), err);
      assert.equal(calls, 1);
    }
  });

  it('gives up at the deadline with DeadlineExceededError', async () => {
    const clock = virtualClock();
    let calls = 0;
    await assert.rejects(
      retry({ ...policy, deadlineMs: 1000 }, () => (calls++, Promise.reject(new RetryableError('down'))), undefined, clock.hooks),
      DeadlineExceededError,
    );
    // 100 + 200 + 400 = 700 ms slept; the next 800 ms would pass the 1000 ms deadline.
    assert.deepEqual(clock.sleeps, [100, 200, 400]);
    assert.equal(calls, 4);
  });

  it('honours Retry-After when it asks for longer than the backoff', async () => {
    const clock = virtualClock();
    let calls = 0;
    await retry(policy, () => (++calls === 1 ? Promise.reject(new RetryableError('429', 2500)) : Promise.resolve()), undefined, clock.hooks);
    assert.deepEqual(clock.sleeps, [2500]);
  });

  it('withTimeout aborts slow work with a retryable timeout', async () => {
    let aborted = false;
    const slow = (signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => (aborted = true));
        setTimeout(resolve, 1000).unref();
      });
    await assert.rejects(withTimeout(10, slow), (err: Error) => classifyError(err) === 'retryable');
    assert.equal(aborted, true);
  });
});
