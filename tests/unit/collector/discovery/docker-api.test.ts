import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DockerApiError, DockerEngineClient } from '../../../../collector/discovery/docker-api';

/**
 * The client's HTTP handling against a local server on a unix socket: query encoding, JSON and
 * text answers, API errors with their status, streams, timeouts. The calls against real dockerd
 * are in tests/integration (collector-metrics-discovery, docker-logs).
 */
describe('Docker Engine API client', () => {
  let dir = '';
  let socket = '';
  let server: http.Server;
  const seen: string[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cs-docker-api-'));
    socket = path.join(dir, 'docker.sock');
    server = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      const url = new URL(req.url ?? '/', 'http://docker');
      if (url.pathname === '/_ping') return void res.end('OK');
      if (url.pathname === '/containers/json') return void res.end(JSON.stringify([{ Id: 'a' }, { Id: 'b' }]));
      if (url.pathname === '/containers/gone/json') {
        res.statusCode = 404;
        return void res.end(JSON.stringify({ message: 'No such container: gone' }));
      }
      if (url.pathname === '/containers/slow/stats') return; // never answers
      if (url.pathname === '/events') {
        res.write('{"status":"start"}\n');
        return void setTimeout(() => res.end('{"status":"die"}\n'), 20);
      }
      res.statusCode = 500;
      res.end('plain failure');
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers JSON as values and other text as text, with the query encoded', async () => {
    const client = new DockerEngineClient(socket, 2000);
    assert.equal(await client.ping(), 'OK');
    assert.deepEqual(await client.listContainers({ all: false }), [{ Id: 'a' }, { Id: 'b' }]);
    assert.ok(seen.includes('/containers/json?all=false'));
  });

  it('rejects an API error with its status and the daemon\'s message', async () => {
    const client = new DockerEngineClient(socket, 2000);
    await assert.rejects(client.getContainer('gone').inspect(), (err: unknown) => err instanceof DockerApiError && err.statusCode === 404 && /No such container: gone/.test(err.message));
    await assert.rejects(client.getContainer('x').inspect(), (err: unknown) => err instanceof DockerApiError && err.statusCode === 500 && /plain failure/.test(err.message));
  });

  it('gives a stream for events, read to its end', async () => {
    const stream = await new DockerEngineClient(socket).getEvents({ filters: '{"type":["container"]}' });
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    assert.equal(text, '{"status":"start"}\n{"status":"die"}\n');
    assert.ok(seen.includes(`/events?filters=${encodeURIComponent('{"type":["container"]}')}`));
  });

  it('gives up on a request at its timeout, or when its signal aborts', async () => {
    const timed = new DockerEngineClient(socket, 100).getContainer('slow').stats({ stream: false });
    await assert.rejects(timed, (err: Error) => err.name === 'AbortError');
    const ctl = new AbortController();
    const aborted = new DockerEngineClient(socket).getContainer('slow').stats({ stream: false, 'one-shot': true, abortSignal: ctl.signal });
    setTimeout(() => ctl.abort(), 50);
    await assert.rejects(aborted, (err: Error) => err.name === 'AbortError');
    assert.ok(seen.includes('/containers/slow/stats?stream=false&one-shot=true'));
  });

  it('fails to connect with the socket error when nothing listens', async () => {
    await assert.rejects(new DockerEngineClient(path.join(dir, 'nothing.sock'), 500).ping(), /ENOENT/);
  });
});
