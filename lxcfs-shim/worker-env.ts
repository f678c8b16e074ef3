/** The contract between the holder and its worker processes (environment and IPC messages). */
export const ENV_FUSE_FD = 'CARGOSCOPE_SHIM_FUSE_FD';
export const ENV_OPTIONS = 'CARGOSCOPE_SHIM_OPTIONS';
export const ENV_READERS = 'CARGOSCOPE_SHIM_READERS';
/**
 * Reads kept parked on /dev/fuse. Under many readers several requests then complete in one turn
 * of the event loop instead of one per turn; 6 did better than 2 at 20 readers in the benchmark
 * (README, "Tests and benchmark"). Each costs one idle threadpool thread.
 */
export const DEFAULT_PARKED_READS = 6;

/** Messages from a worker to the holder over the IPC channel. */
export type WorkerMessage = { type: 'ready'; resent: boolean } | { type: 'init'; minor: number };
