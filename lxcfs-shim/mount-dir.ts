/** Where the shim mounts when no directory is given (its own module: the CLI's usage text needs it without loading the shim). */
export const DEFAULT_MOUNT_DIR = '/var/lib/cargoscope/lxcfs-shim';
