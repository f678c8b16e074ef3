import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDashboards } from '../../../dashboards';

/** mocha runs from the repository root, whichever directory the tests were compiled into. */
const SOURCE = join(process.cwd(), 'dashboards');

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...(await listFiles(join(dir, e.name), join(prefix, e.name))));
    else out.push(join(prefix, e.name));
  }
  return out.sort();
}

describe('dashboards: committed JSON matches its TypeScript source', () => {
  let tmp = '';
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cargoscope-dashboards-'));
    await buildDashboards(tmp);
  });
  after(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  for (const sub of ['generated', 'provisioning']) {
    it(`has no drift in dashboards/${sub} (regenerate with \`cargoscope dashboards build\`)`, async () => {
      const fresh = await listFiles(join(tmp, sub));
      const committed = await listFiles(join(SOURCE, sub)).catch(() => [] as string[]);
      assert.deepEqual(committed, fresh, `file list of dashboards/${sub} differs`);
      for (const f of fresh) {
        const [a, b] = await Promise.all([readFile(join(SOURCE, sub, f), 'utf8'), readFile(join(tmp, sub, f), 'utf8')]);
        assert.ok(a === b, `dashboards/${sub}/${f} drifted from its source`);
      }
    });
  }
});
