import { z } from 'zod';
import { discoverySchema } from '../../discovery/config';

export const cgroupSourceSchema = z.strictObject({
  interval_secs: z.number().positive().max(3600).default(10),
  /** Nodes scrape this fraction of the interval apart at most (one offset per process; see ScrapeLoop). */
  jitter_ratio: z.number().min(0).max(0.5).default(0.1),
  /** Containers whose cgroups are located in parallel (once per run); the reads themselves are synchronous preads. */
  concurrency: z.number().int().positive().max(256).default(16),
  /** Where the host's /proc is (a collector in a container mounts it elsewhere). */
  proc_root: z.string().min(1).default('/proc'),
  discovery: discoverySchema.prefault({}),
});

export type CgroupSourceConfig = z.infer<typeof cgroupSourceSchema>;
