import assert from 'node:assert/strict';
import { ConfigError, loadConfigText, type ValidatedConfig } from '../../../core/config';
import { runnerOptions } from '../../../core/component/runner-options';
import { topicSinkFactory } from '../../../core/transport/components';
import { fakeRegistry } from '../../helpers/fakes';

const load = (text: string, env: NodeJS.ProcessEnv = {}): ValidatedConfig =>
  loadConfigText(text, { registry: fakeRegistry().registry, defaultListen: '127.0.0.1:9780', env });

function issuesOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    load(text, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('config was accepted');
}

const valid = `
sources:
  in: { type: manual }
sinks:
  out:
    type: capture
    inputs: [in]
    buffer: { max_events: 10, when_full: drop_oldest }
`;

describe('config', () => {
  it('fills defaults and freezes the result', () => {
    const config = load(valid);
    assert.equal(config.settings.api.listen, '127.0.0.1:9780');
    const sink = config.components.find((c) => c.id === 'out');
    assert.equal(sink?.delivery?.buffer.max_events, 10);
    assert.equal(sink?.delivery?.buffer.max_bytes, 64 * 1024 * 1024);
    assert.equal(sink?.delivery?.retry.initial_backoff_ms, 100);
    assert.ok(Object.isFrozen(config.settings.api));
    assert.throws(() => ((config.settings.api as { listen: string }).listen = 'x'));
  });

  it('reports three independent mistakes as three path-prefixed errors in one run', () => {
    const issues = issuesOf(`
api:
  listen: nowhere
sources:
  in: { type: manual, colour: blue }
sinks:
  out:
    type: capture
    inputs: [in]
    batch: { max_events: -1 }
`);
    assert.deepEqual(issues.map((i) => i.split(':')[0]).sort(), ['api.listen', 'sinks.out.batch.max_events', 'sources.in.colour']);
  });

  it('names the known types when a type is unknown', () => {
    const [issue] = issuesOf(`sources:\n  in: { type: kafak }\n`);
    assert.match(issue ?? '', /^sources\.in\.type: unknown source type 'kafak'; known source types: manual$/);
  });

  it('checks the wiring: unknown inputs, sinks as inputs, missing inputs', () => {
    const issues = issuesOf(`
sources:
  in: { type: manual }
sinks:
  a: { type: capture, inputs: [nope] }
  b: { type: capture, inputs: [a] }
  c: { type: capture }
`);
    assert.deepEqual(issues.sort(), [
      "sinks.a.inputs.0: unknown component 'nope'",
      "sinks.b.inputs.0: 'a' is a sink; sinks cannot be inputs",
      'sinks.c.inputs: required: a non-empty list of source or transform ids',
    ]);
  });

  it('finds cycles between transforms', () => {
    const issues = issuesOf(`
sources:
  in: { type: manual }
transforms:
  t1: { type: duplicate, inputs: [in, t2] }
  t2: { type: duplicate, inputs: [t1] }
sinks:
  out: { type: capture, inputs: [t2] }
`);
    assert.equal(issues.length, 1);
    assert.match(issues[0] ?? '', /cycle: t\d → t\d → t\d/);
  });

  it('interpolates ${VAR} and ${VAR:-default}, and reports unset variables by line', () => {
    const config = load(`api:\n  listen: \${HOST:-127.0.0.1}:\${PORT}\n${valid}`, { PORT: '9999' });
    assert.equal(config.settings.api.listen, '127.0.0.1:9999');
    assert.deepEqual(issuesOf(`api:\n  listen: 127.0.0.1:\${MISSING_PORT}\n`), [
      'line 2: environment variable MISSING_PORT is not set and has no default (write ${MISSING_PORT:-default})',
    ]);
  });

  it('applies CARGOSCOPE_CFG__ overrides with YAML scalar types', () => {
    const config = load(valid, { CARGOSCOPE_CFG__API__LISTEN: '0.0.0.0:1234', CARGOSCOPE_CFG__SHUTDOWN_TIMEOUT_SECS: '9' });
    assert.equal(config.settings.api.listen, '0.0.0.0:1234');
    assert.equal(config.settings.shutdown_timeout_secs, 9);
  });

  it('reports YAML syntax errors with their line', () => {
    const [issue] = issuesOf('sources:\n  in: { type: manual\n');
    assert.match(issue ?? '', /^line \d+, column \d+: /);
  });

  it('rejects ids reused across kinds', () => {
    const issues = issuesOf(`sources:\n  x: { type: manual }\nsinks:\n  x: { type: capture, inputs: [x] }\n`);
    assert.ok(issues.some((i) => i.startsWith("sinks.x: id 'x' is already used by a source")), issues.join('\n'));
  });

  describe("a sink type's own delivery defaults", () => {
    const registry = fakeRegistry().registry.register(topicSinkFactory);
    const withTopicSink = (extra: string): ValidatedConfig =>
      loadConfigText(`sources:\n  in: { type: manual }\nsinks:\n  out: { type: topic, topic: t, inputs: [in]${extra} }\n  cap: { type: capture, inputs: [in] }\n`, { registry, defaultListen: '127.0.0.1:9780', env: {} });
    const batchOf = (config: ValidatedConfig, id: string) => config.components.find((c) => c.id === id)?.delivery?.batch;

    it('lie under what the config gives, key by key', () => {
      assert.deepEqual(batchOf(withTopicSink(''), 'out'), { max_events: 500, max_bytes: 8 * 1024 * 1024, timeout_ms: 5 });
      assert.deepEqual(batchOf(withTopicSink(', batch: { max_events: 50 }'), 'out'), { max_events: 50, max_bytes: 8 * 1024 * 1024, timeout_ms: 5 });
      assert.equal(batchOf(withTopicSink(', batch: { timeout_ms: 200 }'), 'out')?.timeout_ms, 200);
      // Another sink type keeps the shared default.
      assert.equal(batchOf(withTopicSink(''), 'cap')?.timeout_ms, 1000);
    });

    it('do not hide a batch that is not a mapping', () => {
      assert.throws(() => withTopicSink(', batch: 7'), (err: unknown) => err instanceof ConfigError && err.issues.some((i) => i.path === 'sinks.out.batch'));
    });

    it('reach the runner of a sink built without a validated config', () => {
      const spec = { id: 'out', kind: 'sink' as const, type: 'topic', factory: topicSinkFactory, options: {}, inputs: ['in'] };
      assert.equal(runnerOptions(spec).batch.timeoutMs, 5);
    });
  });
});
