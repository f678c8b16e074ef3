import { z } from 'zod';
import { discoverySchema } from '../../discovery/config';

export const dockerStatsSourceSchema = z.strictObject({
  interval_secs: z.number().positive().max(3600).default(10),
  jitter_ratio: z.number().min(0).max(0.5).default(0.1),
  /** One-shot stats calls in flight at once: dockerd reads cgroups for each, so keep it modest. */
  concurrency: z.number().int().positive().max(64).default(8),
  /** Per stats call; a container whose call times out is left out of that scrape. */
  timeout_ms: z.number().int().positive().default(5000),
  discovery: discoverySchema.prefault({}),
});

export type DockerStatsSourceConfig = z.infer<typeof dockerStatsSourceSchema>;
