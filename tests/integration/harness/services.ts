/**
 * Real services for integration suites: endpoints, and `requireServices`, which a suite calls in
 * its `before` hook. It runs `bash scripts/services.sh up <names>` (install if needed, start,
 * wait for a real health check, reuse what is already healthy) at most once per service per mocha
 * run. A service that cannot start fails the suite with the service's log tail: never a skip.
 * docs/SERVICES.md lists ports, directories and flags.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export type ServiceName =
  | 'docker'
  | 'images'
  | 'swarm'
  | 'kafka'
  | 'elasticsearch'
  | 'influxdb'
  | 'prometheus'
  | 'alertmanager'
  | 'cadvisor'
  | 'lxcfs'
  | 'peers';

export const SERVICE_NAMES: readonly ServiceName[] = Object.freeze([
  'docker', 'images', 'swarm', 'kafka', 'elasticsearch', 'influxdb', 'prometheus', 'alertmanager', 'cadvisor', 'lxcfs', 'peers',
]);

export const CACHE_DIR = process.env['CARGOSCOPE_CACHE'] ?? '/var/cache/cargoscope';
export const STATE_DIR = process.env['CARGOSCOPE_STATE'] ?? '/var/lib/cargoscope/dev';

// Fixed ports: scripts/services.sh and services/*.yml use the same numbers.
export const KAFKA_BROKER = '127.0.0.1:9092';
export const KAFKA_CONTROLLER = '127.0.0.1:29093';
export const ELASTICSEARCH_URL = 'http://127.0.0.1:9200';
export const INFLUXDB_HOST = '127.0.0.1';
export const INFLUXDB_PORT = 8086;
export const INFLUXDB_URL = `http://${INFLUXDB_HOST}:${INFLUXDB_PORT}`;
export const PROMETHEUS_URL = 'http://127.0.0.1:9090';
export const ALERTMANAGER_URL = 'http://127.0.0.1:9093';
export const CADVISOR_URL = 'http://127.0.0.1:8080';
export const DOCKER_SOCKET = '/var/run/docker.sock';
/** busybox plus cpuburn, memfill and logwriter (services/images/*.c). */
export const TESTBOX_IMAGE = 'cargoscope/testbox:latest';
/** lxcfs' FUSE mount; bind `${LXCFS_MOUNT}/proc/meminfo` over a container's /proc/meminfo. */
export const LXCFS_MOUNT = path.join(STATE_DIR, 'lxcfs');
/** cargoscope's own HTTP ports, scraped by the dev Prometheus (services/prometheus.yml). */
export const CARGOSCOPE_PORTS = Object.freeze({ allInOne: 9780, aggregator: 9781, collector: 9782, alerting: 9783 });

/** Long enough for a first install on a fresh machine (measured in docs/SERVICES.md). */
const DEFAULT_TIMEOUT_MS = 25 * 60_000;
const OUTPUT_KEEP_CHARS = 20_000;

const pending = new Map<ServiceName, Promise<void>>();

/** The repository root: where scripts/services.sh is, found from this file or the working dir. */
export function repoRoot(): string {
  const fromEnv = process.env['CARGOSCOPE_REPO'];
  if (fromEnv) return fromEnv;
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      if (existsSync(path.join(dir, 'scripts', 'services.sh'))) return dir;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error(`scripts/services.sh not found above ${__dirname} or ${process.cwd()}; set CARGOSCOPE_REPO`);
}

function runServicesScript(names: readonly ServiceName[], timeoutMs: number): Promise<void> {
  const script = path.join(repoRoot(), 'scripts', 'services.sh');
  return new Promise<void>((resolve, reject) => {
    const child = spawn('bash', [script, 'up', ...names], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      // Progress goes to stderr as it happens: a first install takes minutes and should say so.
      process.stderr.write(chunk);
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEEP_CHARS);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const why = signal ? `was killed by ${signal} (timeout ${timeoutMs} ms?)` : `exited with ${code}`;
      reject(new Error(`services.sh up ${names.join(' ')} ${why}\n${output}`));
    });
  });
}

/**
 * Brings `names` up, once per process: a service already brought up (or already failed) in this
 * mocha run is not tried again; the others are started by one services.sh call.
 */
export function ensureServices(names: readonly ServiceName[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  const missing = [...new Set(names)].filter((n) => !pending.has(n));
  if (missing.length > 0) {
    const started = runServicesScript(missing, timeoutMs);
    // The memoized promise may be awaited only later (or never): keep it from counting as unhandled.
    started.catch(() => undefined);
    for (const n of missing) pending.set(n, started);
  }
  const all = names.map((n) => pending.get(n) ?? Promise.reject(new Error(`service ${n} was never requested`)));
  return Promise.all(all).then(() => undefined);
}

/** For a suite's `before` hook: raises the hook's timeout, then brings the services up. */
export async function requireServices(ctx: Mocha.Context, names: readonly ServiceName[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  ctx.timeout(timeoutMs + 60_000);
  await ensureServices(names, timeoutMs);
}
