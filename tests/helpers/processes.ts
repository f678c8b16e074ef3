import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
export const BIN = path.join(ROOT, 'bin', 'cargoscope.js');

/** A real cargoscope process started from a config text, with its stderr kept for failures. */
export class CargoscopeProcess {
  readonly child: ChildProcess;
  private stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly mode: string,
    readonly configFile: string,
    env: NodeJS.ProcessEnv = {},
  ) {
    this.child = spawn(process.execPath, [BIN, mode, '--config', configFile], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-20_000);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get log(): string {
    return this.stderr;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}

/** Writes `yaml` to a fresh temp dir (whose `data/` the config may use) and starts `mode` on it. */
export function startCargoscope(mode: string, yaml: string, env: NodeJS.ProcessEnv = {}): CargoscopeProcess {
  const dir = mkdtempSync(path.join(tmpdir(), `cargoscope-${mode}-`));
  const file = path.join(dir, `${mode}.yaml`);
  writeFileSync(file, yaml);
  return new CargoscopeProcess(mode, file, env);
}

/** Restarts a process on the same config (same data dir: checkpoints survive). */
export function restart(previous: CargoscopeProcess, env: NodeJS.ProcessEnv = {}): CargoscopeProcess {
  return new CargoscopeProcess(previous.mode, previous.configFile, env);
}
