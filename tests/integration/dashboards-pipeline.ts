/**
 * The pipeline and the test workload the dashboards integration test queries: a Kubernetes-labelled
 * replica set of two CPU-bound pods (as kubelet/cri-dockerd would name them), cgroup + docker_logs
 * sources, roll-up, Prometheus / InfluxDB / Elasticsearch sinks, and cargoscope alerting (a rule that
 * fires for the workload, a dry-run autoscaler policy on it) so the alerting series exist too.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { parseBlkioLines, parseIoStat, parseProcCgroup, type DeviceIo } from '../../core/cgroup';
import { workloadId } from '../../core/event';
import { DEFAULT_PORT, ROLLUP_METRIC } from '../../core/naming';
import { ELASTICSEARCH, INFLUXDB } from './dashboards-queries';
import { TESTBOX_IMAGE } from './harness/services';

const exec = promisify(execFile);
const IMAGE = process.env['CARGOSCOPE_TESTBOX_IMAGE'] ?? TESTBOX_IMAGE;
const LABEL = 'io.cargoscope.test=dashboards';

/**
 * Names unique to this run, so every panel filtered by namespace, pod or node can only be satisfied
 * by data this run produced (the stores keep earlier runs' series for longer than the 15 min window).
 */
const RUN = Date.now().toString(36).slice(-6);
export const WORKLOAD = { namespace: `dash-it-${RUN}`, replicaset: 'web-7c5d8f9b6', container: 'app' } as const;
/** Pod suffixes from Kubernetes' name alphabet (no vowels), or identity would not see a replica set in them. */
export const PODS = [`${WORKLOAD.replicaset}-x2k9p`, `${WORKLOAD.replicaset}-m4q7z`] as const;
export const NODE = `dash-it-node-${RUN}`;
export const ALERT_NAME = 'DashboardsTestCpuBusy';
/** The values a person would pick in the dashboards' variables to look at the test workload. */
export const PREFERRED: Readonly<Record<string, string>> = { ...WORKLOAD, node: NODE, pod: PODS[0], component: 'influxdb' };

/**
 * Alerting: each pod burns a full core against a 0.2-core limit, so the replica set's CPU share of
 * its limit is about 1: the rule (> 0.05 for 4 s) fires within seconds, and the autoscaler (target
 * 0.5) wants more replicas every evaluation; `dry_run` with a webhook target writes nothing anywhere.
 */
export function pipelineConfig(dataDir: string): string {
  return `
node: ${NODE}
data_dir: ${dataDir}
api: { listen: 127.0.0.1:${DEFAULT_PORT.allInOne} }
transport: { type: bus }
sources:
  cgroup: { type: cgroup, interval_secs: 2, discovery: { mode: docker } }
  logs: { type: docker_logs, read_from: beginning, discovery: { mode: docker } }
transforms:
  rollup: { type: rollup, inputs: [cgroup], resolution_secs: 5 }
sinks:
  prometheus: { type: prometheus_exporter, inputs: [rollup] }
  influxdb: { type: influxdb, inputs: [rollup], endpoint: ${INFLUXDB}, batch: { timeout_ms: 500 } }
  elasticsearch: { type: elasticsearch, inputs: [logs], endpoints: [${ELASTICSEARCH}], batch: { timeout_ms: 500 } }
  alerts:
    type: alert_rules
    inputs: [rollup]
    evaluation_interval_secs: 2
    receivers: [{ type: log, name: log }]
    rules:
      - alert: ${ALERT_NAME}
        metric: ${ROLLUP_METRIC.cpuUsageLimitRatio.id}
        level: replicaset
        selector: { namespace: "${WORKLOAD.namespace}" }
        reducer: avg
        window_secs: 20
        op: ">"
        threshold: 0.05
        for_secs: 4
        labels: { severity: ticket }
  autoscaler:
    type: autoscaler
    inputs: [rollup]
    interval_secs: 2
    dry_run: true
    decision_webhook: { url: "http://127.0.0.1:9/decisions" }
    policies:
      - name: dashboards-test-web
        target: { type: webhook, name: web }
        workload: ${workloadId('kubernetes', WORKLOAD.namespace, WORKLOAD.replicaset)}
        min_replicas: 1
        max_replicas: 4
        metrics: [{ type: cpu, target_utilization: 0.5 }]
`;
}

async function docker(...args: string[]): Promise<string> {
  return (await exec('docker', args, { timeout: 60_000 })).stdout.trim();
}

/** Two pods that log (INFO on stdout, ERROR on stderr), burn CPU, do block I/O and try the network. */
export async function startWorkload(): Promise<void> {
  const script = [
    'logwriter --count 0 --rate 5 --prefix "INFO request served" --hold &',
    'logwriter --count 0 --rate 1 --prefix "ERROR upstream timeout" --stream err --hold &',
    'while true; do dd if=/dev/zero of=/data/f bs=64k count=64 oflag=direct 2>/dev/null; cat /data/f > /dev/null; wget -q -O /dev/null http://127.0.0.1:1 2>/dev/null; sleep 1; done &',
    'cpuburn 1',
  ].join(' ');
  for (const pod of PODS) {
    await docker('rm', '-f', `k8s_app_${pod}`).catch(() => '');
    await docker('run', '-d', '--name', `k8s_app_${pod}`, '--label', LABEL, '--cpus', '0.2', '-m', '64m', '-v', '/data',
      '--label', `io.kubernetes.pod.name=${pod}`, '--label', `io.kubernetes.pod.namespace=${WORKLOAD.namespace}`,
      '--label', `io.kubernetes.container.name=${WORKLOAD.container}`, '--label', `io.kubernetes.pod.uid=uid-${pod}`,
      IMAGE, 'sh', '-c', script);
  }
}

/** Removes every container of this test, this run's or a crashed earlier one's. */
export async function removeWorkload(): Promise<void> {
  const ids = await docker('ps', '-aq', '--filter', `label=${LABEL}`).catch(() => '');
  if (ids) await docker('rm', '-f', '-v', ...ids.split('\n'));
}

/**
 * Whether this kernel charges block I/O to a container's cgroup at all: a probe container writes
 * 4 MiB with O_DIRECT to a volume, and its cgroup's counters (v1 `blkio.throttle.io_service_bytes`,
 * v2 `io.stat`) are read from the host. Some kernels report nothing there (this machine kind's 6.18
 * build with cgroup v1 blkio does: "Total 0"), and then no Block I/O panel can show data.
 */
export async function probeBlockIoAccounting(): Promise<{ accounted: boolean; evidence: string }> {
  const id = (await docker('run', '-d', '--label', LABEL, '-v', '/data', IMAGE, 'sh', '-c',
    'dd if=/dev/zero of=/data/f bs=64k count=64 oflag=direct 2>/dev/null; sleep 60')).trim();
  try {
    const pid = (await docker('inspect', '-f', '{{.State.Pid}}', id)).trim();
    const file = ioCounterFile(await readFile(`/proc/${pid}/cgroup`, 'utf8'));
    if (!file) return { accounted: false, evidence: `no blkio or io controller in /proc/${pid}/cgroup` };
    let bytes = 0;
    for (let i = 0; i < 20 && bytes === 0; i++) {
      bytes = ioBytes(file, await readFile(file, 'utf8').catch(() => ''));
      if (bytes === 0) await new Promise((r) => setTimeout(r, 500)); // dd may still be writing
    }
    return { accounted: bytes > 0, evidence: `${file}: ${bytes} bytes after 4 MiB of O_DIRECT writes` };
  } finally {
    await docker('rm', '-f', '-v', id).catch(() => '');
  }
}

function ioCounterFile(procCgroup: string): string | undefined {
  const entries = parseProcCgroup(procCgroup);
  const v1 = entries.find((e) => e.controllers.includes('blkio'));
  if (v1) return `/sys/fs/cgroup/blkio${v1.path}/blkio.throttle.io_service_bytes`;
  const v2 = entries.find((e) => e.hierarchyId === 0);
  if (!v2) return undefined;
  return existsSync('/sys/fs/cgroup/unified') ? `/sys/fs/cgroup/unified${v2.path}/io.stat` : `/sys/fs/cgroup${v2.path}/io.stat`;
}

/** Read plus written bytes over every device, with core's parsers (v1 blkio lines or v2 io.stat). */
function ioBytes(file: string, text: string): number {
  let devices: DeviceIo[];
  if (file.endsWith('io.stat')) devices = parseIoStat(text) ?? [];
  else {
    const byDevice = new Map<string, DeviceIo>();
    devices = parseBlkioLines(text, 'bytes', byDevice) ? [...byDevice.values()] : [];
  }
  return devices.reduce((sum, d) => sum + d.readBytes + d.writeBytes, 0);
}
