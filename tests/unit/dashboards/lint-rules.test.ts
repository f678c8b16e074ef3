/**
 * The rules of Grafana's dashboard linter (github.com/grafana/dashboard-linter, lint/rule_*.go),
 * ported, because the linter itself cannot be built here (dashboards/README.md says why). Each `it`
 * names the rule it follows. PromQL is checked with patterns rather than a parser, which is enough
 * for the expressions dashboards/promql.ts writes. Two rules are excluded, with reasons in the README:
 * `uneditable-dashboard` and, for the two-datasource dashboards, `template-datasource-rule`.
 */
import assert from 'node:assert/strict';
import { allDashboards } from '../../../dashboards';

interface Target { refId?: string; expr?: string }
interface Panel { type: string; title?: string; description?: string; datasource?: { uid?: string }; targets?: Target[]; fieldConfig?: { defaults?: { unit?: string } } }
interface Variable { name: string; type: string; label?: string; query?: unknown; refresh?: number }
interface Model { panels?: Panel[]; templating?: { list?: Variable[] } }

const boards = [...allDashboards()].map(([file, b]) => [file, JSON.parse(JSON.stringify(b)) as Model] as const);

/** The panel types the linter's panel rules look at (graph and singlestat are gone from current Grafana). */
const LINTED_PANELS = new Set(['stat', 'timeseries', 'table', 'gauge']);

/** Grafana's unit ids (packages/grafana-data/src/valueFormats/categories.ts), the categories a container dashboard can use. */
const GRAFANA_UNITS = new Set([
  'none', 'string', 'short', 'percent', 'percentunit', 'sci', 'locale',
  'bytes', 'decbytes', 'bits', 'decbits', 'kbytes', 'deckbytes', 'mbytes', 'decmbytes', 'gbytes', 'decgbytes',
  'pps', 'binBps', 'Bps', 'binbps', 'bps', 'KiBs', 'KBs', 'MiBs', 'MBs', 'GiBs', 'GBs',
  'hertz', 'ns', 'µs', 'ms', 's', 'm', 'h', 'd', 'dtdurationms', 'dtdurations', 'dthms', 'dtdhms', 'clockms', 'clocks',
  'cps', 'ops', 'reqps', 'rps', 'wps', 'iops', 'cpm', 'opm', 'rpm', 'wpm', 'bool', 'bool_yes_no', 'bool_on_off',
]);

function linted(b: Model): Panel[] {
  return (b.panels ?? []).filter((p) => LINTED_PANELS.has(p.type));
}

function datasourceVariables(b: Model): Variable[] {
  return (b.templating?.list ?? []).filter((v) => v.type === 'datasource');
}

/** Every `name{…}[range]` a `fn(` is applied to, and every bare counter selector. */
const RANGE_CALL = /\b(rate|irate|increase)\(\s*[a-zA-Z_:][\w:]*(?:\{[^}]*\})?\[([^\]]+)\]/g;
const COUNTER = /(\b(?:rate|irate|increase)\(\s*)?\b([a-zA-Z_:][\w:]*_total)\b(\{[^}]*\})?(\[[^\]]+\])?/g;

function rateIntervalErrors(expr: string): string[] {
  return [...expr.matchAll(RANGE_CALL)].filter((m) => (m[1] === 'rate' || m[1] === 'irate') && m[2] !== '$__rate_interval').map((m) => m[0]);
}

function counterAggErrors(expr: string): string[] {
  return [...expr.matchAll(COUNTER)].filter((m) => m[1] === undefined || m[4] === undefined).map((m) => m[2] ?? '');
}

describe('dashboards: Grafana dashboard-linter rules (ported)', () => {
  it('the PromQL patterns catch what the linter catches (so the checks below can fail)', () => {
    assert.deepEqual(rateIntervalErrors('sum(rate(x_total{a="b"}[5m]))'), ['rate(x_total{a="b"}[5m]']);
    assert.deepEqual(rateIntervalErrors('sum(rate(x_total[$__rate_interval])) + increase(y_total[$__range])'), []);
    assert.deepEqual(counterAggErrors('sum(x_total{a="b"})'), ['x_total']);
    assert.deepEqual(counterAggErrors('max_over_time(x_total[5m])'), ['x_total']);
    assert.deepEqual(counterAggErrors('sum by (a) (increase(x_total{a=~"b.*"}[$__range]))'), []);
  });

  for (const [file, b] of boards) {
    describe(file, () => {
      it('panel-title-description-rule: every panel has a title and a description', () => {
        for (const p of linted(b)) assert.ok(p.title && p.description, `${p.type} "${p.title ?? ''}" lacks a title or description`);
      });

      it('panel-units-rule: every panel has one of Grafana\'s units', () => {
        for (const p of linted(b).filter((x) => x.type !== 'table')) {
          const unit = p.fieldConfig?.defaults?.unit;
          assert.ok(unit !== undefined && GRAFANA_UNITS.has(unit), `"${p.title ?? ''}" has unit ${String(unit)}`);
        }
      });

      it('panel-datasource-rule: every panel uses a templated datasource', () => {
        const allowed = new Set(datasourceVariables(b).flatMap((v) => [`$${v.name}`, `\${${v.name}}`]));
        for (const p of (b.panels ?? []).filter((x) => x.type !== 'row')) assert.ok(allowed.has(p.datasource?.uid ?? ''), `"${p.title ?? ''}" uses ${p.datasource?.uid ?? 'no datasource'}`);
      });

      it('panel-no-targets-rule: every panel has targets', () => {
        for (const p of linted(b)) assert.ok((p.targets ?? []).length > 0, `"${p.title ?? ''}" has no targets`);
      });

      it('template-datasource-rule: templated datasources named `<type>_datasource` / "<Type> data source" (`datasource` / "Data source" when alone)', () => {
        const ds = datasourceVariables(b);
        assert.ok(ds.length > 0, 'no templated datasource');
        for (const v of ds) {
          const type = typeof v.query === 'string' ? v.query : '';
          const names = new Set([`${type}_datasource`]);
          const labels = new Set([`${type.charAt(0).toUpperCase()}${type.slice(1)} data source`]);
          // Excluded (README): beside the logs picker, the metric picker keeps the name every metric dashboard uses.
          if (ds.length === 1 || type !== 'elasticsearch') {
            names.add('datasource');
            labels.add('Data source');
          }
          assert.ok(names.has(v.name), `$${v.name} (${type})`);
          assert.ok(labels.has(v.label ?? ''), `$${v.name} labelled ${v.label ?? ''}`);
        }
      });

      it('template-on-time-change-reload-rule: query variables refresh on time range change', () => {
        for (const v of (b.templating?.list ?? []).filter((x) => x.type === 'query')) assert.equal(v.refresh, 2, `$${v.name}`);
      });

      it('target-rate-interval-rule and target-counter-agg-rule: rate over $__rate_interval, counters only through rate/irate/increase', () => {
        for (const p of linted(b)) {
          for (const t of p.targets ?? []) {
            if (!t.expr) continue;
            assert.deepEqual(rateIntervalErrors(t.expr), [], `"${p.title ?? ''}" [${t.refId ?? '?'}]: ${t.expr}`);
            assert.deepEqual(counterAggErrors(t.expr), [], `"${p.title ?? ''}" [${t.refId ?? '?'}]: ${t.expr}`);
          }
        }
      });
    });
  }
});
