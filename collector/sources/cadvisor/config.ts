import { z } from 'zod';
import { DEFAULT_LABEL_ALLOWLIST } from '../../discovery/labels';

export const cadvisorSourceSchema = z.strictObject({
  /** Base URL of cAdvisor's HTTP server. */
  endpoint: z.url().default('http://127.0.0.1:8080'),
  interval_secs: z.number().positive().max(3600).default(10),
  jitter_ratio: z.number().min(0).max(0.5).default(0.1),
  /** The whole request; a slower cAdvisor skips this scrape and is counted as `cadvisor_timeout`. */
  timeout_ms: z.number().int().positive().default(5000),
  /**
   * cAdvisor keeps a stopped container until its next housekeeping; a newest sample older than
   * this is dropped rather than reported as current.
   */
  max_stats_age_secs: z.number().positive().default(60),
  /** Largest response accepted, so a confused server cannot make us buffer without bound. */
  max_response_bytes: z.number().int().positive().default(64 * 1024 * 1024),
  labels: z
    .strictObject({
      allow: z.array(z.string().min(1)).default([...DEFAULT_LABEL_ALLOWLIST]),
      max_value_length: z.number().int().positive().max(1024).default(128),
    })
    .prefault({}),
});

export type CadvisorSourceConfig = z.infer<typeof cadvisorSourceSchema>;
