import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { InfluxDB } from 'influx';
import { classifyInfluxError } from '../../../aggregator/sinks/influxdb';
import { classifyError } from '../../../core/delivery';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('influxdb sink error classes', () => {
  it('treats the client pool\'s "No host available" during an outage as retryable, not as a bug', async () => {
    const client = new InfluxDB({ host: '127.0.0.1', port: await closedPort(), database: 'x' });
    const errors: unknown[] = [];
    // The first write meets the refused connection and marks the host down; the next is refused by the pool.
    for (let i = 0; i < 2; i++) await client.writePoints([{ measurement: 'm', fields: { v: 1 } }]).catch((err: unknown) => errors.push(err));
    assert.equal(errors.length, 2);
    assert.match((errors[1] as Error).message, /No host available/);
    for (const err of errors) assert.equal(classifyError(classifyInfluxError(err)), 'retryable', (err as Error).message);
  });
});
