/**
 * Exactly-once check of the logs: every numbered line Docker stored for a drill container must be
 * in Elasticsearch once — by line number per container, so a line indexed twice under two ids is
 * a duplicate and a missing number is a gap, whatever cargoscope's own counters say.
 */
import type { Client } from '@elastic/elasticsearch';

export interface LogCheck {
  readonly containers: number;
  readonly produced: number;
  readonly indexed: number;
  readonly duplicates: number;
  readonly missing: number;
  /** Lines of no drill container, or past a container's last line. */
  readonly unexpected: number;
  /** The first five of them, cut at 120 characters. */
  readonly unexpectedSamples: string[];
  /** Up to ten containers with a problem: prefix, want, distinct lines got, first missing numbers. */
  readonly problems: ReadonlyArray<{ prefix: string; want: number; got: number; dupes: number; firstMissing: number[] }>;
}

/** Counts per line number of each prefix; `want` maps prefix → last sequence number Docker stored. */
export function tally(messages: Iterable<string>, want: ReadonlyMap<string, number>): LogCheck {
  const seen = new Map<string, Uint16Array>();
  for (const [prefix, n] of want) seen.set(prefix, new Uint16Array(n + 1));
  let indexed = 0;
  let unexpected = 0;
  const unexpectedSamples: string[] = [];
  for (const message of messages) {
    indexed++;
    const space = message.lastIndexOf(' ');
    const counts = seen.get(message.slice(0, space));
    const seq = Number(message.slice(space + 1));
    if (!counts || !Number.isInteger(seq) || seq < 1 || seq >= counts.length) {
      unexpected++;
      if (unexpectedSamples.length < 5) unexpectedSamples.push(message.slice(0, 120));
    } else counts[seq] = Math.min(65535, (counts[seq] ?? 0) + 1);
  }
  let produced = 0, duplicates = 0, missing = 0;
  const problems: Array<LogCheck['problems'][number]> = [];
  for (const [prefix, counts] of seen) {
    const n = counts.length - 1;
    produced += n;
    let got = 0, dupes = 0;
    const firstMissing: number[] = [];
    for (let i = 1; i <= n; i++) {
      const c = counts[i] ?? 0;
      if (c === 0) {
        missing++;
        if (firstMissing.length < 5) firstMissing.push(i);
      } else got++;
      if (c > 1) dupes += c - 1;
    }
    duplicates += dupes;
    if ((got !== n || dupes > 0) && problems.length < 10) problems.push({ prefix, want: n, got, dupes, firstMissing });
  }
  return { containers: want.size, produced, indexed, duplicates, missing, unexpected, unexpectedSamples, problems };
}

/** Every `message` of the data stream, through the scroll API (part of the server, no x-pack). */
export async function* scanMessages(es: Client, index: string): AsyncGenerator<string> {
  await es.indices.refresh({ index });
  let page = await es.search<{ message?: string }>({ index, scroll: '2m', size: 5000, _source: ['message'], sort: ['_doc'] });
  try {
    while (page.hits.hits.length > 0) {
      for (const hit of page.hits.hits) yield hit._source?.message ?? '';
      if (!page._scroll_id) break;
      page = await es.scroll<{ message?: string }>({ scroll_id: page._scroll_id, scroll: '2m' });
    }
  } finally {
    if (page._scroll_id) await es.clearScroll({ scroll_id: page._scroll_id }).catch(() => undefined);
  }
}

export async function countDocs(es: Client, index: string): Promise<number> {
  await es.indices.refresh({ index }).catch(() => undefined);
  return (await es.count({ index }).catch(() => ({ count: 0 }))).count;
}

export async function checkLogs(es: Client, index: string, want: ReadonlyMap<string, number>): Promise<LogCheck> {
  const messages: string[] = [];
  for await (const m of scanMessages(es, index)) messages.push(m);
  return tally(messages, want);
}
