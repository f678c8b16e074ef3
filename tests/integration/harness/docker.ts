/**
 * Small Docker helpers for integration suites: a client on the dev engine, a log demultiplexer,
 * and cleanup of what a suite created (found by label, so a crashed run's leftovers go too).
 */
import Dockerode from 'dockerode';
import { DOCKER_SOCKET } from './services';

export const TEST_LABEL = 'dev.cargoscope.test';

export function dockerClient(): Dockerode {
  return new Dockerode({ socketPath: DOCKER_SOCKET, timeout: 60_000 });
}

/**
 * Splits a non-TTY container's log stream: frames of [stream, 0, 0, 0, size (u32 BE)] + payload,
 * where stream 1 is stdout and 2 is stderr.
 */
export function demuxDockerLogs(raw: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let at = 0;
  while (at + 8 <= raw.length) {
    const stream = raw.readUInt8(at);
    const size = raw.readUInt32BE(at + 4);
    const payload = raw.subarray(at + 8, at + 8 + size);
    (stream === 2 ? err : out).push(payload);
    at += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** Removes containers and Swarm services carrying `TEST_LABEL=<suite>`. */
export async function removeLabelled(docker: Dockerode, suite: string): Promise<void> {
  const filters = JSON.stringify({ label: [`${TEST_LABEL}=${suite}`] });
  const services = await docker.listServices({ filters }).catch(() => []);
  await Promise.all(services.map((s) => docker.getService(s.ID).remove().catch(() => undefined)));
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
}
