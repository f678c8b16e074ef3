/**
 * The short fault drill (docs/DRILL.md) as part of `npm test`: `dist/tests/drill/run.js --short`
 * as a child process, judged on its JSON report, so the suite and `npm run drill` cannot
 * disagree (tests/drill/report.ts `judge` decides). The `test` script runs this file last, on
 * its own: the drill loads both cores and stops its own Kafka, Elasticsearch and InfluxDB.
 *
 * It starts from a stale drill.lock of the kind a killed session leaves (the holder's pid now
 * someone else's — this very process), and it ends with nothing of the drill left running.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { alive, parseLock, startTicks } from '../drill/lock';
import { DRILL_STATE } from '../drill/instances';
import { DRILL_SUITE } from '../drill/load';
import type { DrillReport } from '../drill/report';
import { dockerClient, TEST_LABEL } from './harness/docker';

const RUN_JS = path.resolve(__dirname, '..', 'drill', 'run.js');
/** 302 s on a quiet machine; the rest of `npm test` takes 12–15 min of CI's 30. */
const DEADLINE_MS = Number(process.env['CARGOSCOPE_DRILL_TIMEOUT_SECS'] ?? 600) * 1000;
/** SIGTERM lets the drill stop its processes and containers; SIGKILL after this. */
const TERM_GRACE_MS = 75_000;

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderrTail: string;
}

/** Every pid whose process group is `pgid` (the drill and everything it spawned). */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid && f[0] !== 'Z') out.push(Number(name)); // f[0] state, f[2] pgrp
    } catch {
      // Exited while listed.
    }
  }
  return out;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // The group is gone.
  }
}

/** A lock as a killed session leaves it: its holder's pid is now another process (this one). */
function plantStaleLock(): void {
  const file = path.join(DRILL_STATE, 'drill.lock');
  const held = existsSync(file) ? parseLock(readFileSync(file, 'utf8')) : undefined;
  if (held && alive(held.holder)) throw new Error(`a drill (pid ${held.holder.pid}) is running; ${file}`);
  const ticks = (startTicks(process.pid) ?? 0) + 1;
  mkdirSync(DRILL_STATE, { recursive: true }); // a fresh machine has no state directory yet
  writeFileSync(file, JSON.stringify({ holder: { pid: process.pid, startTicks: ticks }, children: [{ pid: process.pid, startTicks: ticks }] }));
}

function runDrill(reportFile: string): { child: ChildProcess; done: Promise<Outcome> } {
  // Its own process group, so a timeout reaches the cargoscope processes and `docker run`s too.
  const child = spawn(process.execPath, [RUN_JS, '--short', '--report', reportFile], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-30_000);
    process.stderr.write(b); // the drill's progress lines, so a CI log shows where it is
  });
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const termTimer = setTimeout(() => {
    timedOut = true;
    signalGroup(child, 'SIGTERM');
    killTimer = setTimeout(() => signalGroup(child, 'SIGKILL'), TERM_GRACE_MS);
  }, DEADLINE_MS);
  const done = new Promise<Outcome>((resolve) => child.once('close', (code, signal) => {
    clearTimeout(termTimer);
    clearTimeout(killTimer);
    resolve({ code, signal, timedOut, stdout, stderrTail: stderr.slice(-6000) });
  }));
  return { child, done };
}

describe('fault drill, short (tests/drill via dist/tests/drill/run.js --short)', function () {
  this.timeout(DEADLINE_MS + TERM_GRACE_MS + 60_000);
  const reportFile = path.join(mkdtempSync(path.join(tmpdir(), 'cargoscope-drill-')), 'report.json');
  let run: ReturnType<typeof runDrill> | undefined;
  let outcome: Outcome | undefined;
  let startedMs = 0;

  before(async () => {
    plantStaleLock();
    startedMs = Date.now();
    run = runDrill(reportFile);
    outcome = await run.done;
  });

  after(() => {
    // Only when this suite itself was interrupted: never leave the group behind.
    if (run?.child.exitCode === null && run.child.signalCode === null) signalGroup(run.child, 'SIGKILL');
  });

  it(`passes every check of its report within ${DEADLINE_MS / 60_000} min`, () => {
    const o = outcome;
    assert.ok(o, 'the drill did not run');
    const secs = ((Date.now() - startedMs) / 1000).toFixed(0);
    assert.ok(!o.timedOut, `the short drill did not finish within ${DEADLINE_MS / 1000} s (SIGTERMed after it); stderr tail:\n${o.stderrTail}`);
    assert.ok(o.code === 0 || o.code === 1, `the drill could not run (exit ${o.code ?? o.signal}); stderr tail:\n${o.stderrTail}`);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as DrillReport;
    const where = /report: (.*)/.exec(o.stdout)?.[1] ?? reportFile;
    assert.deepEqual(report.failures, [], `drill ${report.runId} failed ${report.failures.length} checks in ${secs} s:\n  - ${report.failures.join('\n  - ')}\nreport: ${where}\n${o.stdout}`);
    assert.equal(report.pass, true);
    assert.equal(o.code, 0);
    assert.ok(report.logs.produced > 0 && report.faults.length === 6 && report.alerts.length === 2, `report ${where} is incomplete`);
    process.stderr.write(`drill ${report.runId} passed in ${secs} s; report: ${where}\n`);
  });

  it('leaves no drill process, container, Swarm service or live lock behind', async () => {
    assert.ok(run?.child.pid !== undefined, 'the drill did not start');
    assert.deepEqual(groupMembers(run.child.pid), [], 'processes of the drill still run');
    const docker = dockerClient();
    const filters = JSON.stringify({ label: [`${TEST_LABEL}=${DRILL_SUITE}`] });
    const containers = await docker.listContainers({ all: true, filters });
    assert.deepEqual(containers.map((c) => c.Names[0]), [], 'drill containers left');
    const services = await docker.listServices({ filters });
    assert.deepEqual(services.map((s) => s.Spec?.Name), [], 'drill Swarm services left');
    const file = path.join(DRILL_STATE, 'drill.lock');
    const held = existsSync(file) ? parseLock(readFileSync(file, 'utf8')) : undefined;
    assert.ok(!held || !alive(held.holder), `${file} still names a live holder`);
  });
});
