import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import type { ComponentContext } from '../../core/component';
import { Ack, envelope, type RollupBatch } from '../../core/event';
import { ComponentTelemetry, SelfMetrics, silentLogger } from '../../core/telemetry';
import { InProcessBus } from '../../core/transport';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature, type WebhookPayload } from '../../alerting/notify';

/** What a component gets from the topology, for driving sinks directly in integration tests. */
export function componentContext(id: string, type: string): ComponentContext {
  const metrics = new SelfMetrics(new Registry());
  return {
    id, type, kind: 'sink', node: 'test-node', dataDir: '/tmp/cargoscope-alerting-test', logger: silentLogger(),
    telemetry: new ComponentTelemetry(metrics, { id, type, kind: 'sink' }), transport: new InProcessBus(),
    deadLetter: () => Promise.resolve(), exposition: { addMetrics: () => undefined },
  };
}

export function rollupEnvelope(batch: RollupBatch) {
  return envelope(batch, Ack.detached());
}

export interface Received {
  readonly atMs: number;
  readonly payload: WebhookPayload;
  readonly signatureValid: boolean;
}

/** An Alertmanager-style webhook receiver that checks each request's HMAC signature. */
export class WebhookSink {
  readonly received: Received[] = [];
  private server: Server | undefined;

  constructor(private readonly secret: string) {}

  /** Listens on `port` (0 = any); resolves with the port. */
  async listen(port = 0): Promise<number> {
    this.server = createServer((req, res) => void this.onRequest(req).then(() => res.writeHead(200).end()));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, '127.0.0.1', resolve);
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = undefined;
  }

  private async onRequest(req: IncomingMessage): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const ts = req.headers[TIMESTAMP_HEADER] as string | undefined;
    const sig = req.headers[SIGNATURE_HEADER] as string | undefined;
    this.received.push({ atMs: Date.now(), payload: JSON.parse(body) as WebhookPayload, signatureValid: verifySignature(this.secret, body, ts, sig, { toleranceSecs: 300 }) });
  }
}

/** A port nothing listens on now (to simulate a receiver that is down, then comes back there). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
