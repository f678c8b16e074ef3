import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Admin, Kafka } from 'kafkajs';
import { dockerClient, removeLabelled } from './harness/docker';
import { repoRoot, requireServices } from './harness/services';
import { checkNumbered, runWriter, SUITE, until, untilSettled } from './docker-logs-helpers';
import { Collector, createTopic, kafkaClient, TopicReader, type Consumed } from './docker-logs-kafka-helpers';

const exec = promisify(execFile);
const DISCARDED = 'cargoscope_component_discarded_events_total';
const RECEIVED_BYTES = 'cargoscope_component_received_bytes_total';

/**
 * Acceptance 1–4 of issue 5 end to end: real dockerd writes json-file logs, a real collector
 * process ships them to the real Kafka broker, and what is checked is what a kafkajs consumer
 * reads back from the topic.
 */
describe('docker_logs → Kafka (real dockerd, real Kafka, collector process)', function () {
  this.timeout(420_000);
  const docker = dockerClient();
  let kafka: Kafka;
  let admin: Admin;
  let collectors: Collector[] = [];
  let readers: TopicReader[] = [];

  before(async function () {
    await requireServices(this, ['docker', 'images', 'kafka']);
    await removeLabelled(docker, SUITE);
    kafka = kafkaClient('it-docker-logs');
    admin = kafka.admin();
    await admin.connect();
  });
  after(async () => {
    await admin?.disconnect();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') for (const c of collectors) console.log(`      collector log tail:\n${c.log.slice(-3000)}`);
    await Promise.all(collectors.map((c) => c.stop()));
    await Promise.all(readers.map((r) => r.stop()));
    for (const r of readers) await admin.deleteTopics({ topics: [r.topic] }).catch(() => undefined);
    collectors = [];
    readers = [];
    await removeLabelled(docker, SUITE);
  });

  /** A fresh topic, its reader, and a collector publishing to it. */
  async function shipTo(sourceOpts = '', dataDir?: string): Promise<{ collector: Collector; reader: TopicReader }> {
    const topic = `cargoscope.it.docker-logs.${Date.now()}.${randomInt(1e6)}`;
    await createTopic(admin, topic);
    const reader = new TopicReader(kafka, topic);
    readers.push(reader);
    await reader.start();
    const collector = await Collector.start({ topic, sourceOpts: `checkpoint_interval_ms: 200${sourceOpts ? `, ${sourceOpts}` : ''}`, dataDir });
    collectors.push(collector);
    return { collector, reader };
  }

  it('1. ships every line of 10 containers (200,000 lines) once, in order per container', async () => {
    const { reader } = await shipTo();
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => runWriter(`cs-logs-n${i}`, ['--count', '20000', '--prefix', `c${i}`])));
    for (const [i, id] of ids.entries()) {
      await until(`20000 lines of c${i} in Kafka`, () => reader.records(id).length >= 20_000, 180_000, () => `(have ${reader.records(id).length})`);
    }
    // Anything extra (a duplicate) would arrive right behind; give it the time to.
    await new Promise((r) => setTimeout(r, 2000));
    for (const [i, id] of ids.entries()) {
      const records = reader.records(id);
      assert.equal(checkNumbered(records.map((r) => r.message), 20_000, `c${i}`), undefined);
      assert.equal(new Set(records.map((r) => r.id)).size, 20_000, 'ids are unique');
      assert.equal(new Set(reader.consumed(id).map((c) => c.partition)).size, 1, 'one container, one partition');
    }
    assert.equal(reader.undecodable, 0);
  });

  it('2. loses nothing across max-size=1m / max-file=3 rotations at 20,000 lines/s', async () => {
    const { collector, reader } = await shipTo();
    const n = 150_000; // ~16 MiB of json-file: about 16 rotations
    const id = await runWriter('cs-logs-rot', ['--count', String(n), '--rate', '20000', '--length', '80', '--prefix', 'rot'], ['--log-opt', 'max-size=1m', '--log-opt', 'max-file=3']);
    await untilSettled(() => reader.records(id).length, n, 180_000);
    assert.equal(checkNumbered(reader.records(id).map((r) => r.message), n, 'rot'), undefined);
    assert.equal(await collector.counter(DISCARDED, 'rotated_file_given_up'), 0);
  });

  it('2b. loses nothing at full speed with max-size=1m / max-file=3', async () => {
    // Docker deletes a 1 MiB file about three rotations after creating it, tens of milliseconds at
    // this speed: only the hold process (hold-process.ts), opening each file as it appears, keeps them all.
    const { collector, reader } = await shipTo();
    const n = 150_000;
    const id = await runWriter('cs-logs-rotfast', ['--count', String(n), '--length', '80', '--prefix', 'rf'], ['--log-opt', 'max-size=1m', '--log-opt', 'max-file=3']);
    await untilSettled(() => reader.records(id).length, n, 180_000);
    const records = reader.records(id);
    const lost = await collector.counter(DISCARDED, 'rotated_file_lost');
    const notHeld = await collector.counter(DISCARDED, 'rotated_file_not_held');
    const givenUp = await collector.counter(DISCARDED, 'rotated_file_given_up');
    console.log(`      (${records.length} of ${n} lines; rotated_file_lost ${lost}, rotated_file_not_held ${notHeld}, rotated_file_given_up ${givenUp})`);
    assert.equal(checkNumbered(records.map((r) => r.message), n, 'rf'), undefined);
    assert.equal(new Set(records.map((r) => r.id)).size, records.length, 'no record twice');
  });

  it('3. SIGKILLed at five random moments and restarted: no gaps, re-sent records keep their ids', async () => {
    const n = 60_000;
    const { collector, reader } = await shipTo();
    // Rotating (4 MiB × 3 files), so restarts also resume across rotations; the files keep the
    // whole stream, because on a loaded node one restart (Node, Kafka, discovery) can take many
    // seconds and files deleted while no collector runs are a different case (rotated_while_down).
    const id = await runWriter('cs-logs-kill', ['--count', String(n), '--rate', '2000', '--length', '60', '--prefix', 'k'], ['--log-opt', 'max-size=4m', '--log-opt', 'max-file=3']);
    const restarts: number[] = [];
    const distinct = (): number => new Set(reader.records(id).map((r) => r.id)).size;
    for (let kill = 0; kill < 5; kill++) {
      // A random moment inside the kill's sixth of the stream, so all five land mid-stream.
      const at = Math.round(((kill + 0.5 + Math.random() * 0.5) * n) / 6);
      const since = Date.now();
      await until(`${at} distinct lines before kill ${kill + 1}`, () => distinct() >= at, 120_000, () => `(have ${distinct()})`);
      if (kill > 0) restarts.push(Date.now() - since);
      await collector.kill();
      collector.restart();
    }
    console.log(`      (restart → next kill point reached: ${restarts.join(', ')} ms)`);
    await until(`${n} distinct lines`, () => distinct() >= n, 180_000, () => `(have ${distinct()})`);
    await new Promise((r) => setTimeout(r, 2000));
    const { firstSeen, resent } = dedupeById(reader.consumed(id));
    assert.equal(checkNumbered(firstSeen.map((r) => r.message), n, 'k'), undefined);
    assert.ok(resent > 0, 'the kills made the collector re-send something');
    console.log(`      (${resent} records re-sent after 5 kills, each with its first id)`);
  });

  it('4. Kafka stopped for 30 s mid-stream: no gaps, reading stops, memory stays under the bound', async () => {
    // The bound under test: max_in_flight_bytes (emitted, unacknowledged) plus the process's
    // fixed cost. The collector must stop reading while Kafka is down instead of buffering.
    // Draining the backlog afterwards at full speed lets V8's heap grow past that (garbage it has
    // not collected yet), so the catch-up is held to the collector bound the drill uses.
    const boundMiB = 200;
    const catchUpBoundMiB = 350;
    const inFlight = 8 * 2 ** 20;
    const { collector, reader } = await shipTo(`max_in_flight_bytes: ${inFlight}`);
    const n = 240_000;
    const id = await runWriter('cs-logs-kafkadown', ['--count', String(n), '--rate', '4000', '--length', '200', '--prefix', 'kd']);
    let peak = 0;
    let outagePeak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, collector.rssMiB() ?? 0)), 100);
    try {
      await until('some lines in Kafka', () => reader.records(id).length >= 20_000, 60_000);
      const before = await collector.counter(RECEIVED_BYTES, 'docker_logs');
      await services('down', 'kafka');
      const downAt = Date.now();
      const series: number[] = [];
      try {
        // Reading goes on only until the in-flight budget (8 MiB of estimated record bytes) is used;
        // without the stop it would take in 30 s × ~1.4 MiB/s ≈ 42 MiB.
        while (Date.now() - downAt < 30_000) {
          series.push((await collector.counter(RECEIVED_BYTES, 'docker_logs')) - before);
          await new Promise((r) => setTimeout(r, 1000));
        }
      } finally {
        await services('up', 'kafka');
      }
      const mib = series.map((b) => +(b / 2 ** 20).toFixed(1));
      console.log(`      (MiB read since the broker stopped, per second: ${mib.join(' ')})`);
      const readWhileDown = (series.at(-1) ?? 0) - (series[0] ?? 0);
      assert.ok(readWhileDown <= inFlight + 2 * 2 ** 20, `read ${(readWhileDown / 2 ** 20).toFixed(1)} MiB while Kafka was down (budget ${inFlight / 2 ** 20} MiB)`);
      assert.ok((series.at(-1) ?? 0) - (series.at(-11) ?? 0) < 2 ** 20, 'reading did not stand still in the last 10 s of the outage');
      outagePeak = peak;
      const upAt = Date.now();
      const distinct = (): number => new Set(reader.records(id).map((r) => r.id)).size;
      await until(`${n} distinct lines after the outage`, () => distinct() >= n, 240_000, () => `(have ${distinct()})`);
      console.log(`      (all ${n} lines in Kafka ${((Date.now() - upAt) / 1000).toFixed(1)} s after the broker was back)`);
    } finally {
      clearInterval(sampler);
    }
    const { firstSeen } = dedupeById(reader.consumed(id));
    assert.equal(checkNumbered(firstSeen.map((r) => r.message), n, 'kd'), undefined);
    console.log(`      (collector peak RSS ${outagePeak.toFixed(0)} MiB up to the end of the outage, bound ${boundMiB} MiB; ${peak.toFixed(0)} MiB while catching up, bound ${catchUpBoundMiB} MiB)`);
    assert.ok(outagePeak > 0 && outagePeak < boundMiB, `peak RSS ${outagePeak.toFixed(0)} MiB up to the end of the outage`);
    assert.ok(peak < catchUpBoundMiB, `peak RSS ${peak.toFixed(0)} MiB while catching up`);
  });
});

/** First occurrence of every id in consumption order; asserts that an id always means the same line. */
function dedupeById(consumed: readonly Consumed[]): { firstSeen: Consumed['record'][]; resent: number } {
  const byId = new Map<string, string>();
  const byMessage = new Map<string, string>();
  const firstSeen: Consumed['record'][] = [];
  let resent = 0;
  for (const { record } of consumed) {
    const known = byId.get(record.id);
    if (known !== undefined) {
      assert.equal(known, record.message, `id ${record.id} names one line`);
      resent++;
      continue;
    }
    const otherId = byMessage.get(record.message);
    assert.equal(otherId, undefined, `${record.message.slice(0, 12)} re-sent with a new id`);
    byId.set(record.id, record.message);
    byMessage.set(record.message, record.id);
    firstSeen.push(record);
  }
  return { firstSeen, resent };
}

async function services(verb: 'up' | 'down', name: string): Promise<void> {
  await exec('bash', [path.join(repoRoot(), 'scripts', 'services.sh'), verb, name], { timeout: 300_000 });
}
