import assert from 'node:assert/strict';
import { ConfigError } from '../../../core/config';
import { loadRules } from '../../../alerting/rules';
import { compileTemplate, labelsFingerprint } from '../../../alerting/engine';

function issues(text: string): string[] {
  try {
    loadRules(text, 'rules.yaml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('expected a ConfigError');
}

describe('rule files', () => {
  it('loads a valid file with defaults filled', () => {
    const [r] = loadRules('rules:\n  - alert: HighCpu\n    metric: cpu_usage_limit_ratio\n    level: replicaset\n    threshold: 0.9\n');
    assert.equal(r?.reducer, 'avg');
    assert.equal(r?.window_secs, 60);
    assert.equal(r?.op, '>');
    assert.equal(Object.isFrozen(r), true);
  });

  it('reports every error with its path', () => {
    const got = issues([
      'rules:',
      '  - alert: bad name',
      '    metric: cpu_usage_limit_ratio',
      '    level: galaxy',
      '    threshold: 0.9',
      '    selector: { pod: "=~(" , colour: red }',
      '    annotations: { summary: "{{ $value | shout }}" }',
      '    surprise: 1',
    ].join('\n'));
    const paths = got.map((g) => g.split(':')[0]);
    for (const p of ['rules.0.alert', 'rules.0.level', 'rules.0.selector.pod', 'rules.0.selector.colour', 'rules.0.annotations.summary', 'rules.0.surprise']) {
      assert.ok(paths.includes(p), `missing ${p} in ${got.join(' | ')}`);
    }
  });

  it('checks the clear threshold against the direction, and quantile against the reducer', () => {
    const got = issues('rules:\n  - { alert: A, metric: m, level: pod, threshold: 0.9, clear_threshold: 0.95, reducer: quantile }\n');
    assert.deepEqual(got.sort(), [
      "rules.0.clear_threshold: must be <= threshold for op '>' (it is where the alert clears)",
      'rules.0.quantile: required with reducer: quantile',
    ]);
  });

  it('rejects duplicate alert name + labels', () => {
    const rule = '  - { alert: A, metric: m, level: pod, threshold: 1 }';
    assert.deepEqual(issues(`rules:\n${rule}\n${rule}\n`), ['rules.1.alert: same alert name and labels as rules.0']);
  });

  it('reports YAML syntax errors with a line', () => {
    assert.match(issues('rules: [\n  - a: b\n')[0] ?? '', /^line \d+/);
  });
});

describe('templates and fingerprints', () => {
  it('renders labels and values with the supported functions', () => {
    const t = compileTemplate('{{ $labels.pod }}: {{ $value | humanize }} / {{ $value }}');
    assert.equal(t({ labels: { pod: 'p1' }, value: 12345 }), 'p1: 12.35k / 12345');
    assert.equal(compileTemplate('{{ $value | humanize }}')({ labels: {}, value: 0.0025 }), '2.5m');
    assert.throws(() => compileTemplate('{{ .Labels.pod }}'), /unsupported template action/);
  });

  it('computes FNV-1a 64 exactly (checked against a BigInt reference, UTF-8 included)', () => {
    const reference = (labels: Record<string, string>): string => {
      let h = 0xcbf29ce484222325n;
      const add = (b: number): void => { h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n); };
      for (const k of Object.keys(labels).sort()) {
        for (const b of Buffer.from(k)) add(b);
        add(0xff);
        for (const b of Buffer.from(labels[k] ?? '')) add(b);
        add(0xff);
      }
      return h.toString(16).padStart(16, '0');
    };
    const sets: Array<Record<string, string>> = [{ alertname: 'HighCpu' }, { a: 'ü∑', pod: 'web-1', namespace: 'shop' }, { z: '', y: 'x'.repeat(300) }];
    for (const labels of sets) {
      assert.equal(labelsFingerprint(labels), reference(labels));
    }
  });

  it('fingerprints label sets independent of key order, FNV-1a 64 like Prometheus', () => {
    assert.equal(labelsFingerprint({}), 'cbf29ce484222325');
    assert.equal(labelsFingerprint({ a: '1', b: '2' }), labelsFingerprint({ b: '2', a: '1' }));
    assert.notEqual(labelsFingerprint({ a: '1', b: '2' }), labelsFingerprint({ a: '12' }));
  });
});
