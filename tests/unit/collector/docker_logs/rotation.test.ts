import assert from 'node:assert/strict';
import type { FileCheckpoint } from '../../../../collector/sources/docker_logs/checkpoint-store';
import { afterRotation, maybeLostBeforeFirstSight, planResume, type SiblingState } from '../../../../collector/sources/docker_logs/rotation';
import { fingerprintOf, siblingGeneration } from '../../../../collector/sources/docker_logs/file-identity';

const sib = (ino: string, key?: string): SiblingState => ({ dev: '1', ino, key });
const cp = (offset: number, done = false): FileCheckpoint => ({ container: 'c', offset, done, path: 'p', updatedMs: 0 });

describe('docker_logs rotation decisions', () => {
  it('resumes the checkpointed file and reads the files rotated in after it from the start', () => {
    const siblings = [sib('3', 'k3'), sib('2', 'k2'), sib('1', 'k1'), sib('0', 'k0')];
    const plan = planResume(siblings, new Map([['k2', cp(500)]]), 'beginning');
    assert.deepEqual(plan.steps, [{ read: false }, { read: true, offset: 500 }, { read: true, offset: 0 }, { read: true, offset: 0 }]);
    assert.equal(plan.lostWhileDown, false);
  });

  it('resumes a rotated file still draining when the collector died, though a newer one had a checkpoint (drill finding 9)', () => {
    // k2 rotated and was being drained; k1 (opened and held at the rotation) got its checkpoint at 0.
    const siblings = [sib('3', 'k3'), sib('2', 'k2'), sib('1', 'k1'), sib('0', 'k0')];
    const plan = planResume(siblings, new Map([['k3', cp(800, true)], ['k2', cp(500)], ['k1', cp(0)]]), 'beginning');
    assert.deepEqual(plan.steps, [{ read: false }, { read: true, offset: 500 }, { read: true, offset: 0 }, { read: true, offset: 0 }]);
    const later = planResume(siblings, new Map([['k2', cp(500)], ['k1', cp(0)], ['k0', cp(40)]]), 'beginning');
    assert.deepEqual(later.steps, [{ read: false }, { read: true, offset: 500 }, { read: true, offset: 0 }, { read: true, offset: 40 }]);
  });

  it('skips a checkpointed file that was already drained', () => {
    const plan = planResume([sib('2', 'k2'), sib('1', 'k1')], new Map([['k2', cp(900, true)]]), 'beginning');
    assert.deepEqual(plan.steps, [{ read: false }, { read: true, offset: 0 }]);
  });

  it('reads everything left, and reports the gap, when the checkpointed file rotated away while down', () => {
    const plan = planResume([sib('2', 'k2'), sib('1', 'k1')], new Map([['gone', cp(10)]]), 'beginning');
    assert.deepEqual(plan.steps, [{ read: true, offset: 0 }, { read: true, offset: 0 }]);
    assert.equal(plan.lostWhileDown, true);
  });

  it('reads a container seen for the first time from its oldest file, or from the end of the live one', () => {
    const siblings = [sib('2', 'k2'), sib('1', undefined)];
    assert.deepEqual(planResume(siblings, new Map(), 'beginning').steps, [{ read: true, offset: 0 }, { read: true, offset: 0 }]);
    assert.deepEqual(planResume(siblings, new Map(), 'end').steps, [{ read: false }, { read: true, offset: 'end' }]);
  });

  it('opens every file newer than the one being read after a rotation, skipping open ones', () => {
    const siblings = [sib('30'), sib('20'), sib('10'), sib('0')];
    assert.deepEqual(afterRotation(siblings, { dev: '1', ino: '30' }, new Set(['1:30'])), { open: [1, 2, 3], maybeLost: false });
    assert.deepEqual(afterRotation(siblings, { dev: '1', ino: '20' }, new Set(['1:20', '1:10'])), { open: [3], maybeLost: false });
    assert.deepEqual(afterRotation(siblings, { dev: '1', ino: '99' }, new Set()), { open: [0, 1, 2, 3], maybeLost: true });
  });

  it('fingerprints the first line only once it is complete (or the file is final)', () => {
    const head = Buffer.from('{"log":"a\\n"}\nmore');
    assert.equal(fingerprintOf(head, 5, 1024, false), undefined);
    assert.equal(fingerprintOf(head, 5, 1024, true)?.length, 16);
    assert.equal(fingerprintOf(head, head.length, 1024, false), fingerprintOf(Buffer.from('{"log":"a\\n"}\nother'), 20, 1024, false));
    assert.notEqual(fingerprintOf(head, head.length, 1024, false), fingerprintOf(Buffer.from('{"log":"b\\n"}\n'), 14, 1024, false));
  });

  it('recognises Docker\'s rotated names only', () => {
    const base = 'abc-json.log';
    assert.deepEqual(['abc-json.log', 'abc-json.log.1', 'abc-json.log.12', 'abc-json.log.1.gz', 'abc-json.log.tmp', 'abc-json.log.0'].map((n) => siblingGeneration(base, n)), [0, 1, 12, undefined, undefined, undefined]);
  });
});

describe('docker_logs first sight of a new container', () => {
  const base = { hasCheckpoints: false, bornAfterStart: true, files: 3, maxFile: 3 };
  it('reports a possible loss when a new container already fills every max-file slot', () => {
    assert.equal(maybeLostBeforeFirstSight(base), true);
  });
  it('does not when a slot is still free, so nothing can have been deleted', () => {
    assert.equal(maybeLostBeforeFirstSight({ ...base, files: 2 }), false);
    assert.equal(maybeLostBeforeFirstSight({ ...base, files: 1, maxFile: undefined }), false);
  });
  it('leaves containers older than the collector, and resumed ones, to the resume plan', () => {
    assert.equal(maybeLostBeforeFirstSight({ ...base, bornAfterStart: false }), false);
    assert.equal(maybeLostBeforeFirstSight({ ...base, hasCheckpoints: true }), false);
  });
  it('errs on the loud side when max-file is unknown and a rotation happened', () => {
    assert.equal(maybeLostBeforeFirstSight({ ...base, files: 2, maxFile: undefined }), true);
  });
});
