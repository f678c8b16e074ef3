import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cadvisorSourceSchema } from '../../../../collector/sources/cadvisor/config';
import { CadvisorSource } from '../../../../collector/sources/cadvisor/source';
import { CONTAINER_METRIC as M } from '../../../../core/naming';
import { testContext } from '../helpers';

type Mode = 'ok' | 'garbage' | 'wrong_shape' | '500' | 'slow';

/** A stand-in cAdvisor on loopback whose behaviour each test picks. */
async function fakeCadvisor(): Promise<{ server: Server; url: string; set(mode: Mode, body?: unknown): void; requests: string[] }> {
  let mode: Mode = 'ok';
  let body: unknown = {};
  const requests: string[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      requests.push(`${req.method ?? ''} ${req.url ?? ''} ${text}`);
      if (mode === 'slow') return setTimeout(() => res.end('{}'), 500);
      if (mode === '500') return res.writeHead(500).end('boom');
      if (mode === 'garbage') return res.end('<html>not json');
      if (mode === 'wrong_shape') return res.end('[1,2,3]');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, set: (m, b) => { mode = m; if (b !== undefined) body = b; }, requests };
}

function info(id: string, name: string, creation: string, cpuNs: number, at: string): unknown {
  return {
    name: `/docker/${id}`, id, aliases: [name, id], namespace: 'docker',
    spec: { creation_time: creation, image: 'busybox', labels: { 'com.docker.compose.project': 'p', 'com.docker.compose.service': 's' }, has_network: true,
      memory: { limit: 2 ** 64 - 1 }, cpu: { limit: 1024, period: 100000, mask: '0-1' } },
    stats: [{ timestamp: at, cpu: { usage: { total: cpuNs, user: 0, system: 0 } }, memory: { usage: 100, working_set: 80 } }],
  };
}

describe('CadvisorSource', () => {
  let fake: Awaited<ReturnType<typeof fakeCadvisor>>;
  beforeEach(async () => { fake = await fakeCadvisor(); });
  afterEach(() => { fake.server.close(); });

  function source(extra: Record<string, unknown> = {}): CadvisorSource {
    return new CadvisorSource(cadvisorSourceSchema.parse({ endpoint: fake.url, timeout_ms: 200, interval_secs: 3600, ...extra }));
  }

  it('emits one batch per scrape with the newest stats of every container', async () => {
    const now = new Date().toISOString();
    const id = 'a'.repeat(64);
    fake.set('ok', { [`/docker/${id}`]: info(id, 'web', now, 2e9, now) });
    const t = testContext('cadvisor');
    const s = source();
    await s.start(t.ctx);
    const batch = await s.scrapeOnce();
    await s.shutdown(Date.now() + 100);
    assert.equal(t.batches.length, 1);
    assert.equal(batch?.containers.length, 1);
    const c = batch?.containers[0];
    assert.equal(c?.container.workload.id, 'compose/p/s');
    assert.equal(c?.samples.find((x) => x.name === M.cpuUsageSeconds)?.value, 2);
    assert.equal(c?.samples.find((x) => x.name === M.specMemoryLimitBytes)?.value, 0, 'unlimited is 0, as in cAdvisor');
    assert.match(fake.requests[0] ?? '', /^POST \/api\/v1\.3\/docker\/ \{"num_stats":1\}$/);
  });

  it('drops a container whose newest sample is stale (cAdvisor has not noticed it stopped)', async () => {
    const id = 'b'.repeat(64);
    const old = new Date(Date.now() - 120_000).toISOString();
    fake.set('ok', { [`/docker/${id}`]: info(id, 'gone', old, 1, old) });
    const t = testContext('cadvisor');
    const s = source();
    await s.start(t.ctx);
    const batch = await s.scrapeOnce();
    await s.shutdown(Date.now() + 100);
    assert.equal(batch?.containers.length, 0);
  });

  const faults: Array<[Mode, string]> = [
    ['500', 'cadvisor_http_error'],
    ['garbage', 'cadvisor_bad_response'],
    ['wrong_shape', 'cadvisor_bad_response'],
    ['slow', 'cadvisor_timeout'],
  ];
  for (const [mode, reason] of faults) {
    it(`counts ${reason} when cAdvisor answers ${mode}, emits nothing, logs once, and keeps going`, async () => {
      fake.set(mode);
      const t = testContext('cadvisor');
      const s = source();
      await s.start(t.ctx);
      assert.equal(await s.scrapeOnce(), undefined);
      assert.equal(await s.scrapeOnce(), undefined);
      assert.equal(await t.errors(reason), 2);
      assert.equal(t.warnings.length, 1);
      fake.set('ok', {});
      assert.ok(await s.scrapeOnce(), 'recovers on the next scrape');
      await s.shutdown(Date.now() + 100);
    });
  }

  it('counts cadvisor_unreachable when nothing listens', async () => {
    const t = testContext('cadvisor');
    const s = new CadvisorSource(cadvisorSourceSchema.parse({ endpoint: 'http://127.0.0.1:1', timeout_ms: 500 }));
    await s.start(t.ctx);
    assert.equal(await s.scrapeOnce(), undefined);
    assert.equal(await t.errors('cadvisor_unreachable'), 1);
    await s.shutdown(Date.now() + 100);
  });

  it('computes identity once per container run', async () => {
    const now = new Date().toISOString();
    const id = 'c'.repeat(64);
    fake.set('ok', { [`/docker/${id}`]: info(id, 'web', '2024-01-01T00:00:00Z', 1, now) });
    const t = testContext('cadvisor');
    const s = source();
    await s.start(t.ctx);
    const a = await s.scrapeOnce();
    const b = await s.scrapeOnce();
    assert.equal(a?.containers[0]?.container, b?.containers[0]?.container);
    fake.set('ok', { [`/docker/${id}`]: info(id, 'web', '2024-01-01T00:05:00Z', 1, now) });
    const c = await s.scrapeOnce();
    assert.notEqual(c?.containers[0]?.startedAtMs, a?.containers[0]?.startedAtMs, 'restart = new start time');
    await s.shutdown(Date.now() + 100);
  });

  it('rejects unknown config keys and fills defaults', () => {
    assert.throws(() => cadvisorSourceSchema.parse({ interval: 5 }));
    const c = cadvisorSourceSchema.parse({});
    assert.equal(c.interval_secs, 10);
    assert.equal(c.endpoint, 'http://127.0.0.1:8080');
  });
});
