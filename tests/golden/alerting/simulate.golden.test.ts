import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSimulate } from '../../../alerting/simulate';

const dir = join(process.cwd(), 'tests', 'golden', 'alerting', 'simulate');

/** Compares with `decisions.jsonl`, or writes it with CARGOSCOPE_UPDATE_GOLDEN=1 (review the diff!). */
function golden(caseDir: string, actual: string): void {
  const path = join(caseDir, 'decisions.jsonl');
  if (process.env['CARGOSCOPE_UPDATE_GOLDEN'] === '1') {
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`missing golden file ${path}; run with CARGOSCOPE_UPDATE_GOLDEN=1`);
  assert.equal(actual, readFileSync(path, 'utf8'));
}

describe('autoscale simulate (golden: recorded series → decisions)', () => {
  for (const name of readdirSync(dir)) {
    it(`replays ${name} decision for decision`, () => {
      const caseDir = join(dir, name);
      const lines = runSimulate(readFileSync(join(caseDir, 'policy.yaml'), 'utf8'), readFileSync(join(caseDir, 'series.jsonl'), 'utf8'));
      golden(caseDir, `${lines.join('\n')}\n`);
    });
  }
});
