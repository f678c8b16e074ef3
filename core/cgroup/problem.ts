/**
 * Reading a cgroup file can fail for ordinary reasons (a controller is not mounted, swap
 * accounting is off, the cgroup was removed while we read it). Callers such as the collector
 * and the lxcfs shim must keep going, so failures are values, never exceptions.
 */
export type FileProblemReason =
  /** ENOENT: the file (or the cgroup directory) does not exist. */
  | 'missing'
  /** EACCES / EPERM. */
  | 'permission'
  /** ENODEV / ESRCH: the cgroup or the process went away while we were reading. */
  | 'gone'
  /** The text was read but did not have the expected shape. */
  | 'malformed'
  /** Any other I/O error. */
  | 'io';

export interface FileProblem {
  /** Absolute path of the file (or directory) that could not be used. */
  readonly file: string;
  readonly reason: FileProblemReason;
  /** Human-readable detail: the errno code or what was wrong with the text. */
  readonly detail: string;
}

export type FileRead =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly problem: FileProblem };

export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: FileProblem };

/** Maps a Node.js fs error to a problem without losing the errno code. */
export function problemFromError(file: string, err: unknown): FileProblem {
  const code = errorCode(err);
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return { file, reason: 'missing', detail: code };
    case 'EACCES':
    case 'EPERM':
      return { file, reason: 'permission', detail: code };
    case 'ENODEV':
    case 'ESRCH':
      return { file, reason: 'gone', detail: code };
    default:
      return { file, reason: 'io', detail: code ?? String(err) };
  }
}

export function malformed(file: string, detail: string): FileProblem {
  return { file, reason: 'malformed', detail };
}

function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = err.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
