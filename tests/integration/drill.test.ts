import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DrillReport } from '../drill/report';

const RUN = path.resolve(__dirname, '..', 'drill', 'run.js');

/** Runs `npm run drill -- --short` as its own process (it stops its own services) and reads its report. */
function shortDrill(reportFile: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN, '--short', '--report', reportFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      process.stderr.write(chunk); // progress lines: the drill takes minutes
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('fault drill, short (tests/drill): collector, aggregator and alerting killed; Kafka, Elasticsearch, InfluxDB stopped; under load', function () {
  // A few minutes on an idle 2-core machine; far more when other suites load it (docs/DRILL.md).
  this.timeout(30 * 60_000);
  let report: DrillReport;
  let result: { code: number | null; output: string };

  before(async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'cargoscope-drill-')), 'report.json');
    result = await shortDrill(file);
    assert.notEqual(result.code, 2, `the drill could not run:\n${result.output}`);
    report = JSON.parse(readFileSync(file, 'utf8')) as DrillReport;
  });

  it('every log line Docker stored is in Elasticsearch exactly once, and the collector counted no loss', () => {
    assert.ok(report.logs.produced > 0 && report.load.churn > 0, 'the drill produced lines and churned containers');
    assert.equal(report.logs.missing, 0, JSON.stringify(report.logs.problems));
    assert.equal(report.logs.duplicates, 0, JSON.stringify(report.logs.problems));
    assert.equal(report.logs.unexpected, 0);
    assert.deepEqual(Object.entries(report.discarded).filter(([, n]) => n > 0), []);
  });

  it('ran every fault: three SIGKILLs and three outages', () => {
    assert.deepEqual(report.faults.map((f) => `${f.kind} ${f.target}`), [
      'kill collector', 'kill aggregator-1', 'kill alerting', 'stop kafka', 'stop elasticsearch', 'stop influxdb',
    ]);
  });

  it('no metric gap per workload, in InfluxDB or Prometheus, is longer than its outage plus one interval', () => {
    for (const g of [report.metrics.influxdb, report.metrics.prometheus]) {
      assert.equal(g.workloads, report.load.steady, `${g.store} has a series per steady writer`);
      assert.deepEqual(g.empty, [], `${g.store} workloads without points`);
      assert.deepEqual(g.violations, [], `${g.store} gaps`);
    }
  });

  it('each memory-hog alert fired exactly once and resolved; Alertmanager holds none at the end', () => {
    assert.equal(report.alerts.length, 2);
    for (const a of report.alerts) {
      assert.equal(a.firings, 1, `${a.replicaset} firings`);
      assert.equal(a.resolved, true, `${a.replicaset} resolved`);
      assert.equal(a.signaturesValid, true);
    }
    assert.equal(report.alertmanagerActiveAtEnd, 0);
  });

  it('no process exceeded its RSS bound or exited on its own, and the verdict is PASS', () => {
    for (const p of report.rss) assert.ok(p.peakMiB > 0 && p.peakMiB <= p.boundMiB, `${p.name}: ${p.peakMiB} MiB of ${p.boundMiB}`);
    assert.deepEqual(report.unexpectedExits, []);
    assert.deepEqual(report.failures, []);
    assert.equal(result.code, 0);
  });
});
