/** The contract between the holder and its worker processes (environment and IPC messages). */
export const ENV_FUSE_FD = 'CARGOSCOPE_SHIM_FUSE_FD';
export const ENV_OPTIONS = 'CARGOSCOPE_SHIM_OPTIONS';
export const ENV_READERS = 'CARGOSCOPE_SHIM_READERS';

/** Messages from a worker to the holder over the IPC channel. */
export type WorkerMessage = { type: 'ready'; resent: boolean } | { type: 'init'; minor: number };
