/**
 * The subset of cAdvisor's v1.3 REST API (`/api/v1.3/docker/`, info/v1 `ContainerInfo`) we read.
 * Optional everywhere: cAdvisor omits what a container lacks (no network when it shares a netns).
 */
export interface CadvisorPerDisk {
  readonly device?: string;
  readonly major: number;
  readonly minor: number;
  readonly stats?: Readonly<Record<string, number>>;
}

export interface CadvisorInterface {
  readonly name: string;
  readonly rx_bytes?: number;
  readonly rx_packets?: number;
  readonly rx_errors?: number;
  readonly rx_dropped?: number;
  readonly tx_bytes?: number;
  readonly tx_packets?: number;
  readonly tx_errors?: number;
  readonly tx_dropped?: number;
}

export interface CadvisorStats {
  readonly timestamp?: string;
  readonly cpu?: {
    readonly usage?: { readonly total?: number; readonly user?: number; readonly system?: number };
    readonly cfs?: { readonly periods?: number; readonly throttled_periods?: number; readonly throttled_time?: number };
  };
  readonly memory?: {
    readonly usage?: number;
    readonly working_set?: number;
    readonly rss?: number;
    readonly cache?: number;
    readonly swap?: number;
    readonly failcnt?: number;
  };
  readonly diskio?: {
    readonly io_service_bytes?: readonly CadvisorPerDisk[];
    readonly io_serviced?: readonly CadvisorPerDisk[];
  };
  readonly network?: { readonly interfaces?: readonly CadvisorInterface[] };
  readonly processes?: { readonly process_count?: number };
  readonly oom_events?: number;
}

export interface CadvisorSpec {
  readonly creation_time?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly image?: string;
  readonly has_network?: boolean;
  readonly cpu?: { readonly limit?: number; readonly quota?: number; readonly period?: number; readonly mask?: string };
  readonly memory?: { readonly limit?: number; readonly swap_limit?: number };
  readonly processes?: { readonly limit?: number };
}

export interface CadvisorContainerInfo {
  /** The cgroup name: `/docker/<id>` or `/system.slice/docker-<id>.scope`. */
  readonly name: string;
  readonly id?: string;
  /** Docker name first, then the id. */
  readonly aliases?: readonly string[];
  readonly namespace?: string;
  readonly spec?: CadvisorSpec;
  readonly stats?: readonly CadvisorStats[];
}

export type CadvisorDockerResponse = Readonly<Record<string, CadvisorContainerInfo>>;

/** Cheap structural check at the I/O edge; anything else is counted as a bad response. */
export function isCadvisorDockerResponse(value: unknown): value is CadvisorDockerResponse {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const v of Object.values(value as Record<string, unknown>)) {
    if (typeof v !== 'object' || v === null || typeof (v as { name?: unknown }).name !== 'string') return false;
    const stats = (v as { stats?: unknown }).stats;
    if (stats !== undefined && !Array.isArray(stats)) return false;
  }
  return true;
}
