import assert from 'node:assert/strict';
import { allDashboards } from '../../../dashboards';
import { SCHEMA_VERSION } from '../../../dashboards/compose';
import { STORE } from '../../../dashboards/datasources';

/** The parts of Grafana's dashboard JSON model these checks read. */
interface Target { refId?: string; datasource?: { type?: string; uid?: string }; expr?: string; query?: string }
interface Panel { id?: number; type: string; title?: string; gridPos?: { x: number; y: number; w: number; h: number }; datasource?: { type?: string; uid?: string }; targets?: Target[] }
interface Variable { name: string; type: string; query?: unknown; datasource?: { type?: string; uid?: string } }
interface Model { uid?: string; title?: string; schemaVersion?: number; panels?: Panel[]; templating?: { list?: Variable[] }; tags?: string[] }

const PLUGIN_TYPES = new Set<string>(Object.values(STORE).map((s) => s.type));
const boards = [...allDashboards()].map(([file, b]) => [file, b as unknown as Model] as const);

function overlaps(a: NonNullable<Panel['gridPos']>, b: NonNullable<Panel['gridPos']>): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

describe('dashboards: Grafana dashboard JSON model', () => {
  it('builds the 11 dashboards: 4 metric dashboards per metric store, logs, alerts and pipeline health', () => {
    assert.equal(boards.length, 11);
  });

  it('gives every dashboard a unique uid (≤ 40 chars), a title, the cargoscope tag and the schema version', () => {
    const uids = new Set<string>();
    for (const [file, b] of boards) {
      assert.ok(b.uid && b.uid.length <= 40 && /^[a-z0-9-]+$/.test(b.uid), `${file}: uid ${b.uid}`);
      assert.ok(!uids.has(b.uid), `duplicate uid ${b.uid}`);
      uids.add(b.uid);
      assert.equal(file, `${b.uid}.json`);
      assert.ok(b.title && b.title.startsWith('cargoscope / '), `${file}: title`);
      assert.equal(b.schemaVersion, SCHEMA_VERSION, file);
      assert.ok(b.tags?.includes('cargoscope'), file);
    }
  });

  for (const [file, b] of boards) {
    describe(file, () => {
      const panels = b.panels ?? [];
      it('has unique positive panel ids', () => {
        const ids = panels.map((p) => p.id);
        assert.ok(ids.every((id) => typeof id === 'number' && id > 0), 'ids set');
        assert.equal(new Set(ids).size, ids.length, `duplicate ids in ${file}`);
      });

      it('places every panel on the 24-column grid without overlaps', () => {
        for (const p of panels) {
          const g = p.gridPos;
          assert.ok(g, `${p.title}: gridPos`);
          assert.ok(g.x >= 0 && g.w > 0 && g.x + g.w <= 24 && g.y >= 0 && g.h > 0, `${p.title}: ${JSON.stringify(g)}`);
        }
        for (const [i, a] of panels.entries()) {
          for (const c of panels.slice(i + 1)) assert.ok(!overlaps(a.gridPos!, c.gridPos!), `${a.title} overlaps ${c.title}`);
        }
      });

      it('gives every non-row panel targets with unique refIds and a datasource variable reference', () => {
        const names = new Set((b.templating?.list ?? []).map((v) => v.name));
        for (const p of panels.filter((x) => x.type !== 'row')) {
          assert.ok(p.targets && p.targets.length > 0, `${p.title}: targets`);
          const refIds = p.targets.map((t) => t.refId);
          assert.equal(new Set(refIds).size, refIds.length, `${p.title}: refIds`);
          for (const t of p.targets) {
            assert.ok(t.datasource?.type && PLUGIN_TYPES.has(t.datasource.type), `${p.title}: target datasource type`);
            const uidVar = /^\$\{(\w+)\}$/.exec(t.datasource.uid ?? '')?.[1];
            assert.ok(uidVar && names.has(uidVar), `${p.title}: datasource ${t.datasource.uid} is not a variable of the dashboard`);
            assert.ok((t.expr ?? t.query ?? '') !== '' || 'metrics' in t, `${p.title}: empty query`);
          }
        }
      });

      it('defines every $variable its queries use, and a datasource picker first', () => {
        const vars = b.templating?.list ?? [];
        assert.equal(vars[0]?.type, 'datasource');
        const defined = new Set([...vars.map((v) => v.name), '__rate_interval', '__interval', '__range', 'timeFilter', '__url_time_range']);
        const text = JSON.stringify(panels.map((p) => p.targets ?? [])) + JSON.stringify(vars.map((v) => v.query));
        for (const m of text.matchAll(/\$\{?(\w+)/g)) assert.ok(defined.has(m[1]!) || m[1]!.startsWith('tag_'), `undefined variable $${m[1]}`);
      });
    });
  }
});
