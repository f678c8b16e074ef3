import assert from 'node:assert/strict';
import { BENCHES } from '../../bench/report/benches';
import { legacySections, parseOutcomes, renderDocument, outcomeComment, section } from '../../bench/report/document';
import { statOf, scaleStat } from '../../bench/report/stats';
import { benchVerdicts, figureTable, formatNumber, formatStat, judge, measure, summaryTable } from '../../bench/report/summary';
import { lastJson } from '../../bench/run';
import { ALONE, outcome, PEERED, PEERED_RESULT } from './report-fixtures';

describe('bench report: stats', () => {
  it('reads a number, an array of runs and a {median, min, max} object', () => {
    assert.deepEqual(statOf(3), { median: 3, min: 3, max: 3, runs: 1 });
    assert.deepEqual(statOf([5, 1, 3, 2]), { median: 2.5, min: 1, max: 5, runs: 4 });
    assert.deepEqual(statOf({ median: 2, min: 1, max: 4 }), { median: 2, min: 1, max: 4 });
    assert.equal(statOf('fast'), undefined);
    assert.equal(statOf({ min: 1 }), undefined);
    assert.equal(statOf([]), undefined);
  });

  it('keeps the range ordered under a decreasing transform (rate from time)', () => {
    assert.deepEqual(scaleStat({ median: 2, min: 1, max: 4, runs: 3 }, (ms) => 100 / ms), { median: 50, min: 25, max: 100, runs: 3 });
  });
});

describe('bench report: figures and goals', () => {
  it('uses the paired ratio when the bench gives one, the ratio of medians otherwise', () => {
    const [lines, rss] = PEERED.figures.map((f) => measure(f, PEERED_RESULT));
    assert.deepEqual(lines?.ratio, { median: 0.621, min: 0.46, max: 0.658, runs: 3 });
    assert.equal(lines?.ratioOfMedians, false);
    assert.equal(rss?.ratioOfMedians, true);
    assert.equal(rss?.ratio?.median, 548 / 32);
  });

  it('says met, or the gap with its size and its share of the goal', () => {
    const figures = PEERED.figures.map((f) => measure(f, PEERED_RESULT));
    const [ratio, rss, first] = PEERED.goals.map((g) => judge(g, figures));
    assert.equal(ratio?.met, false);
    assert.equal(ratio?.text, 'gap: 0.879× short (0.414× the goal)');
    assert.equal(rss?.text, 'gap: 348 MiB over (2.74× the goal)');
    assert.equal(first?.met, true);
    assert.equal(first?.text, 'met');
  });

  it('never invents a verdict without a figure', () => {
    assert.match(benchVerdicts(PEERED, undefined)[0]?.text ?? '', /^not measured: no result/);
    assert.match(benchVerdicts(PEERED, outcome('logs', undefined, 'exit code 1'))[0]?.text ?? '', /^not measured: the bench failed/);
    const partial = benchVerdicts(PEERED, outcome('logs', { rounds: 3, ours: {} }));
    assert.ok(partial.every((v) => v.met === undefined && v.text === 'not measured: the figure is not in the result'));
  });

  it('formats medians with their range and run count', () => {
    assert.equal(formatStat({ median: 0.2773, min: 0.2331, max: 0.671, runs: 5 }, 's'), '0.277 s (0.233–0.671, 5 runs)');
    assert.equal(formatStat({ median: 2735, min: 2735, max: 2735, runs: 1 }, 'ms'), '2,735 ms (1 run)');
    assert.equal(formatStat(undefined, 'ms'), 'not in the result');
    assert.equal(formatNumber(0.25), '0.25');
    assert.equal(formatNumber(740_711.4), '740,711');
  });

  it('builds the summary from the declared goals: target, median, verdict and a link', () => {
    const table = summaryTable([PEERED, ALONE], new Map([['logs', outcome('logs', PEERED_RESULT)], ['rules', outcome('rules', { warm_ms: [255, 228, 350] })]]));
    assert.equal(table.length, 2 + 4);
    assert.equal(table[2], '| lines/s vs rsyslog | #5 | ≥ 1.5× the peer | 0.621× (0.46–0.658, 3 runs) | **gap: 0.879× short (0.414× the goal)** | [logs](#logs) |');
    assert.equal(table[5], '| rule evaluation | #7 | ≤ 1,000 ms | 255 ms (228–350, 3 runs) | met | [rules](#rules) |');
  });

  it('puts ours, the peer and the ratio side by side in the figure table', () => {
    const rows = figureTable(PEERED, PEERED_RESULT);
    assert.equal(rows[0], '| figure | cargoscope | rsyslog | ratio cargoscope / rsyslog |');
    assert.equal(rows[2], '| lines/s (lines/s, ↑ better) | 166,100 lines/s (156,200–181,300, 3 runs) | 291,800 lines/s (252,400–339,500, 3 runs) | 0.621× (0.46–0.658, 3 runs) |');
    assert.match(rows[3] ?? '', /17.1× \(of medians\) \|$/);
  });
});

describe('bench report: the document', () => {
  const doc = (outcomes: Map<string, ReturnType<typeof outcome>>): string =>
    renderDocument({ specs: [PEERED, ALONE], outcomes, machine: '2 × test CPU', writtenAt: '2026-12-03T11:00:00.000Z', command: 'npm run bench' });

  it('stores each outcome so a later subset run can keep the sections it does not rerun', () => {
    const first = doc(new Map([['logs', outcome('logs', PEERED_RESULT)], ['rules', outcome('rules', { warm_ms: [255] })]]));
    const kept = parseOutcomes(first);
    assert.deepEqual([...kept.keys()], ['logs', 'rules']);
    assert.deepEqual(kept.get('logs')?.result, PEERED_RESULT);
    // A subset run replaces `rules` only; `logs` comes back byte for byte.
    const second = doc(new Map([...kept, ['rules', outcome('rules', { warm_ms: [300] })]]));
    const logsSection = (s: string): string => s.slice(s.indexOf('## logs'), s.indexOf('## rules'));
    assert.equal(logsSection(second), logsSection(first));
    assert.deepEqual(parseOutcomes(second).get('rules')?.result, { warm_ms: [300] });
  });

  it('keeps the sections of an older file that stored no results, as they were', () => {
    const old = ['# Benchmarks', '', '## Summary (by hand)', '| x |', '', '## logs', '', 'old table', '| a | 1 |', '', '## rules', 'old rules'].join('\n');
    const legacy = legacySections(old, ['logs']);
    assert.deepEqual([...legacy.keys()], ['logs']);
    const text = renderDocument({ specs: [PEERED, ALONE], outcomes: new Map([['rules', outcome('rules', { warm_ms: [255] })]]), machine: 'm', writtenAt: 'now', command: 'npm run bench -- rules', legacy });
    assert.match(text, /## logs\n\n_Kept from an earlier BENCHMARKS.md that stored no results[^\n]*\n\nold table\n\| a \| 1 \|/);
    assert.doesNotMatch(text, /by hand|old rules/);
    assert.match(text, /\| lines\/s vs rsyslog \| #5 \| ≥ 1.5× the peer \| — \| not measured: no result in this file yet \|/);
  });

  it('keeps the outcome comment closed whatever the result holds', () => {
    const o = outcome('rules', { note: 'a --> b -- c' });
    assert.ok(!outcomeComment(o).slice(4, -3).includes('--'));
    assert.deepEqual(parseOutcomes(outcomeComment(o)).get('rules')?.result, { note: 'a --> b -- c' });
  });

  it('says why a bench has no figures, and links the chart of one that has', () => {
    assert.match(section(ALONE, undefined, 'm').join('\n'), /\*\*Not measured:\*\* no result/);
    assert.match(section(ALONE, outcome('rules', undefined, 'exit code 1'), 'm').join('\n'), /\*\*Not measured:\*\* exit code 1/);
    const ok = section(ALONE, outcome('rules', { warm_ms: [255] }), '2 × test CPU').join('\n');
    assert.match(ok, /!\[rules: median bars, min–max whiskers\]\(docs\/bench\/rules.svg\)/);
    assert.doesNotMatch(ok, / on 2 × test CPU/);
    assert.match(section(ALONE, outcome('rules', { warm_ms: [255] }), 'another machine').join('\n'), /measured 2026-12-03T10:00:00.000Z on 2 × test CPU\./);
  });

  it('declares every goal on a figure the bench declares, with unique names and ids', () => {
    assert.equal(new Set(BENCHES.map((b) => b.name)).size, BENCHES.length);
    for (const b of BENCHES) {
      const ids = b.figures.map((f) => f.id);
      assert.equal(new Set(ids).size, ids.length, b.name);
      for (const g of b.goals) assert.ok(ids.includes(g.figure), `${b.name}: goal on ${g.figure}`);
      for (const g of b.goals.filter((x) => x.on === 'ratio')) assert.ok(b.figures.find((f) => f.id === g.figure)?.peer, `${b.name}: ratio goal ${g.figure} has a peer`);
    }
  });
});

describe('bench runner: result parsing', () => {
  it('takes the last JSON object, on one line or pretty-printed', () => {
    assert.deepEqual(lastJson('progress\n{"a":1}\n'), { a: 1 });
    assert.deepEqual(lastJson('{"a":1}\n{\n  "b": [\n    {"c": 2}\n  ]\n}\n'), { b: [{ c: 2 }] });
    assert.throws(() => lastJson('no json here'));
  });
});
