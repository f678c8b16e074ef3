/**
 * Runs the queries of a Grafana dashboard's JSON the way Grafana would: template variables first
 * (from their own queries, top down), then every target of every panel, against the real stores.
 */
import { ECS, INFLUX } from '../../core/naming';

export const PROMETHEUS = process.env['CARGOSCOPE_PROMETHEUS_URL'] ?? 'http://127.0.0.1:9090';
export const INFLUXDB = process.env['CARGOSCOPE_INFLUXDB_URL'] ?? 'http://127.0.0.1:8086';
export const ELASTICSEARCH = process.env['CARGOSCOPE_ELASTICSEARCH_URL'] ?? 'http://127.0.0.1:9200';

export interface Target { refId?: string; datasource?: { type?: string }; expr?: string; instant?: boolean; query?: string; bucketAggs?: Array<{ type: string; field?: string }>; metrics?: Array<{ type: string }> }
export interface Panel { id: number; type: string; title: string; targets?: Target[] }
export interface Variable { name: string; type: string; query?: unknown; datasource?: { type?: string }; allValue?: string }
export interface Model { uid: string; panels: Panel[]; templating: { list: Variable[] } }

/** Grafana's built-ins, fixed to what a 15-minute view of a fresh pipeline would use. */
const BUILTINS: Record<string, string> = {
  __rate_interval: '1m', __interval: '15s', __range: '15m', timeFilter: 'time > now() - 15m',
};

export function substitute(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{?(\w+)\}?/g, (m: string, name: string) => values[name] ?? BUILTINS[name] ?? m);
}

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  const body = await res.text();
  if (!res.ok) throw new Error(`${res.status} from ${url.split('?')[0]}: ${body.slice(0, 300)}`);
  return JSON.parse(body) as T;
}

async function promSeries(match: string): Promise<Array<Record<string, string>>> {
  const url = `${PROMETHEUS}/api/v1/series?match[]=${encodeURIComponent(match)}&start=${Math.floor(Date.now() / 1000) - 900}`;
  return (await getJson<{ data: Array<Record<string, string>> }>(url)).data;
}

/** Number of series (Prometheus) / rows (InfluxDB) / hits (Elasticsearch) a target returns. */
export async function runTarget(t: Target, values: Readonly<Record<string, string>>): Promise<number> {
  const type = t.datasource?.type;
  if (type === 'prometheus') {
    const expr = substitute(t.expr ?? '', values);
    const now = Math.floor(Date.now() / 1000);
    const url = t.instant
      ? `${PROMETHEUS}/api/v1/query?query=${encodeURIComponent(expr)}`
      : `${PROMETHEUS}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${now - 900}&end=${now}&step=15`;
    return (await getJson<{ data: { result: unknown[] } }>(url)).data.result.length;
  }
  if (type === 'influxdb') return (await influx(substitute(t.query ?? '', values))).length;
  if (type === 'elasticsearch') return esCount(substitute(t.query ?? '*', values), t.bucketAggs?.find((b) => b.type === 'terms')?.field);
  throw new Error(`unknown datasource type ${type}`);
}

async function influx(q: string): Promise<unknown[][]> {
  const url = `${INFLUXDB}/query?db=${INFLUX.database}&q=${encodeURIComponent(q)}`;
  const body = await getJson<{ results: Array<{ error?: string; series?: Array<{ values?: unknown[][] }> }> }>(url);
  const r = body.results[0];
  if (r?.error) throw new Error(`InfluxDB: ${r.error} in ${q}`);
  return (r?.series ?? []).flatMap((s) => s.values ?? []);
}

/** Hits of a Lucene query in the last 15 minutes; with `termsField`, hits that carry that field. */
async function esCount(query: string, termsField?: string): Promise<number> {
  const must: unknown[] = [{ query_string: { query, analyze_wildcard: true } }, { range: { [ECS.timestamp]: { gte: 'now-15m' } } }];
  if (termsField) must.push({ exists: { field: termsField } });
  const body = await getJson<{ hits: { total: { value: number } } }>(`${ELASTICSEARCH}/${ECS.indexPattern}/_search`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ size: 0, track_total_hits: true, query: { bool: { must } } }),
  });
  return body.hits.total.value;
}

/** The values a query variable offers, as Grafana would list them. */
export async function variableValues(v: Variable, values: Readonly<Record<string, string>>): Promise<string[]> {
  const query = typeof v.query === 'string' ? substitute(v.query, values) : '';
  if (v.datasource?.type === 'prometheus') {
    const m = /^label_values\((.+),\s*(\w+)\)$/.exec(query);
    if (!m) throw new Error(`unsupported variable query ${query}`);
    return [...new Set((await promSeries(m[1]!)).map((s) => s[m[2]!]).filter((x): x is string => x !== undefined))].sort();
  }
  if (v.datasource?.type === 'influxdb') return (await influx(query)).map((row) => String(row[1])).sort();
  if (v.datasource?.type === 'elasticsearch') {
    const q = JSON.parse(query) as { field: string; query?: string };
    const body = await getJson<{ aggregations?: { v?: { buckets: Array<{ key: string }> } } }>(`${ELASTICSEARCH}/${ECS.indexPattern}/_search`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ size: 0, query: { query_string: { query: q.query ?? '*' } }, aggs: { v: { terms: { field: q.field, size: 100 } } } }),
    });
    return (body.aggregations?.v?.buckets ?? []).map((b) => b.key).sort();
  }
  throw new Error(`variable ${v.name}: unknown datasource`);
}

/**
 * Resolves the dashboard's variables top down, each from its own query. A variable with a value in
 * `preferred` (the test workload) must offer that value: another one (an earlier run's) would let
 * stale data pass. Returns the values and the variables that did not offer what they should.
 */
export async function resolveVariables(model: Model, preferred: Readonly<Record<string, string>>): Promise<{ values: Record<string, string>; empty: Array<{ name: string; reason: string }> }> {
  const values: Record<string, string> = {};
  const empty: Array<{ name: string; reason: string }> = [];
  for (const v of model.templating.list) {
    if (v.type === 'datasource') continue;
    if (v.type === 'textbox') {
      values[v.name] = typeof v.query === 'string' ? v.query : '*';
      continue;
    }
    let offered: string[];
    try {
      offered = await variableValues(v, values);
    } catch (err) {
      empty.push({ name: v.name, reason: (err as Error).message });
      values[v.name] = '';
      continue;
    }
    const want = preferred[v.name];
    const pick = want === undefined ? offered[0] : offered.find((x) => x === want);
    if (pick === undefined) empty.push({ name: v.name, reason: want === undefined ? 'no values' : `${want} not offered (${offered.length} others)` });
    values[v.name] = pick ?? '';
  }
  return { values, empty };
}
