import assert from 'node:assert/strict';
import { benchChart, compactNumber, escapeXml, niceCeiling, panel } from '../../bench/report/chart';
import { measure } from '../../bench/report/summary';
import { ALONE, PEERED, PEERED_RESULT } from './report-fixtures';

const count = (s: string, re: RegExp): number => s.match(re)?.length ?? 0;

describe('bench report: chart', () => {
  it('rounds the axis up to 1, 2 or 5 × a power of ten', () => {
    assert.deepEqual([0.27, 1, 1.01, 3, 7, 339_500, 0].map(niceCeiling), [0.5, 1, 2, 5, 10, 500_000, 1]);
    assert.deepEqual([2_500_000, 500_000, 0.25, 12].map(compactNumber), ['2.5M', '500k', '0.25', '12']);
  });

  it('draws a panel per figure, throughput first, with ours and the peer side by side', () => {
    const svg = benchChart(PEERED, PEERED_RESULT, '2026-12-03T10:00:00.000Z');
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="\d+"/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    assert.equal(count(svg, /<g transform=/g), 3);
    const titles = [...svg.matchAll(/font-weight="bold">([^<]+)</g)].map((m) => m[1]).slice(1);
    assert.deepEqual(titles, ['lines/s', 'first line', 'peak RSS']);
    // Six bars (two per panel) and the two legend swatches, in the two colours.
    assert.equal(count(svg, /fill="#2b6cb0"/g), 4);
    assert.equal(count(svg, /fill="#a0aec0"/g), 4);
    assert.equal(count(svg, /stroke-dasharray/g), 2, 'goal lines on the two value goals only');
  });

  it('draws whiskers only where the runs spread, and scales bars to the axis', () => {
    const [lines, , first] = PEERED.figures.map((f) => measure(f, PEERED_RESULT));
    const spread = panel(lines!, 'rsyslog', undefined).join('\n');
    assert.equal(count(spread, /stroke-width="1.5"/g), 6, 'a whisker and two caps per bar');
    const single = panel(first!, 'rsyslog', 1).join('\n');
    assert.equal(count(single, /<line x1="[\d.]+" y1="[\d.]+" x2="[\d.]+" y2="[\d.]+" stroke="#1a202c"/g), 0);
    const heights = [...spread.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"/g)].map((m) => Number(m[1]));
    assert.equal(heights.length, 2);
    assert.ok(Math.abs((heights[0] ?? 0) / (heights[1] ?? 1) - 166_100 / 291_800) < 0.01, `bar heights ${heights.join(', ')} follow the medians`);
  });

  it('says "not measured" rather than drawing an empty bar, and escapes text', () => {
    const svg = benchChart({ ...ALONE, name: 'a<b>&"c"' }, undefined, 'never');
    assert.match(svg, /not measured/);
    assert.match(svg, /a&lt;b&gt;&amp;&quot;c&quot;/);
    assert.equal(escapeXml('<&>'), '&lt;&amp;&gt;');
  });
});
