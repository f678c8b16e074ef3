import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { CgroupFs, FileProblem, FileRead } from '../../../core/cgroup';
import { nodeCgroupFs } from '../../../core/cgroup';

/** Golden inputs live in the source tree; mocha runs from the repository root. */
export function goldenDir(...parts: string[]): string {
  return join(process.cwd(), 'tests', 'golden', ...parts);
}

/** Case directories (those with an input.json) under a golden folder. */
export function listCases(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'input.json')))
    .map((d) => d.name)
    .sort();
}

/**
 * A CgroupFs that serves a recorded tree: absolute path P is read from `${root}${P}`, and
 * problems name P again, so expectations do not depend on where the repository is checked out.
 */
export function recordedFs(root: string): CgroupFs {
  const strip = (p: FileProblem): FileProblem => ({ ...p, file: p.file.startsWith(root) ? p.file.slice(root.length) : p.file });
  return {
    async readText(path: string): Promise<FileRead> {
      const r = await nodeCgroupFs.readText(`${root}${path}`);
      return r.ok ? r : { ok: false, problem: strip(r.problem) };
    },
    async listSubdirs(path: string) {
      const r = await nodeCgroupFs.listSubdirs(`${root}${path}`);
      return r.ok ? r : { ok: false as const, problem: strip(r.problem) };
    },
  };
}

/** JSON round trip: Maps become objects so snapshots compare like the files on disk. */
export function toJson(value: unknown): unknown {
  const replacer = (_k: string, v: unknown): unknown => (v instanceof Map ? (Object.fromEntries(v) as unknown) : v);
  return JSON.parse(JSON.stringify(value, replacer)) as unknown;
}

/**
 * Compares `actual` with `<caseDir>/<name>`, or writes it when CARGOSCOPE_UPDATE_GOLDEN=1
 * (review the diff before committing: a regenerated file proves nothing by itself).
 */
export function expectedText(caseDir: string, name: string, actual: string): string {
  const file = join(caseDir, name);
  if (process.env.CARGOSCOPE_UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.CARGOSCOPE_UPDATE_GOLDEN !== '1') throw new Error(`missing golden file ${file}; run with CARGOSCOPE_UPDATE_GOLDEN=1`);
    writeFileSync(file, actual);
  }
  return readFileSync(file, 'utf8');
}
