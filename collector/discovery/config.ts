import { z } from 'zod';
import { DEFAULT_LABEL_ALLOWLIST } from './labels';

/** The `discovery:` group, nested under the same name in every metrics source that needs it. */
export const discoverySchema = z.strictObject({
  /** `auto`: Docker when its socket answers, else walk the cgroup tree (and keep retrying Docker). */
  mode: z.enum(['auto', 'docker', 'cgroup']).default('auto'),
  docker_socket: z.string().min(1).default('/var/run/docker.sock'),
  /** Per request to dockerd (inspect, list, stats); the events stream itself has no timeout. */
  docker_timeout_ms: z.number().int().positive().default(5000),
  /** A full relist this often, besides the events stream and every reconnect. */
  resync_interval_secs: z.number().positive().default(300),
  /** How often `auto` retries Docker while it is walking cgroups. */
  docker_retry_secs: z.number().positive().default(30),
  /** Mount point of the cgroup hierarchies (v2, or the parent of the v1 controller mounts). */
  cgroup_root: z.string().min(1).default('/sys/fs/cgroup'),
  labels: z
    .strictObject({
      /** Container labels kept on every series (exact keys, or prefixes ending in `*`). */
      allow: z.array(z.string().min(1)).default([...DEFAULT_LABEL_ALLOWLIST]),
      max_value_length: z.number().int().positive().max(1024).default(128),
    })
    .prefault({}),
});

export type DiscoveryConfig = z.infer<typeof discoverySchema>;
