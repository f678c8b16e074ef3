import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import pino from 'pino';
import { kafkaSchema } from '../../../core/config/schema';
import { KafkaTransport } from '../../../core/transport/kafka';

// A log batch's worth of text: compresses, and differently at different levels.
const value = Buffer.from(Array.from({ length: 4000 }, (_, n) => `{"n":${n},"path":"/api/v1/items/${(n * 7919) % 10007}","ms":${(n * 31) % 997}}\n`).join(''));
const message = { key: 'k', value, contentType: 'application/x-cargoscope-logs' };

/** Builds the transport only: compress() needs no broker. */
const transport = (options: object): KafkaTransport => new KafkaTransport(kafkaSchema.parse(options), pino({ level: 'silent' }));

describe('kafka transport: gzip ahead of the request', () => {
  it('defaults to level 1 and honours compression_level', async () => {
    assert.equal(kafkaSchema.parse({}).compression_level, 1);
    const fast = await transport({}).compress(message);
    const best = await transport({ compression_level: 9 }).compress(message);
    // Byte 8 of a gzip member (XFL) is 4 for zlib's fastest level and 2 for its best (RFC 1952).
    assert.equal(fast.value[8], 4);
    assert.equal(best.value[8], 2);
    assert.ok(best.value.length < fast.value.length, `${best.value.length} vs ${fast.value.length}`);
    for (const out of [fast, best]) {
      assert.equal(out.gzipped, true);
      assert.deepEqual(gunzipSync(out.value), value);
    }
  });

  it('refuses a level zlib does not have, and leaves values alone under compression: none', async () => {
    for (const level of [0, 10, 1.5]) assert.equal(kafkaSchema.safeParse({ compression_level: level }).success, false, String(level));
    assert.equal(await transport({ compression: 'none' }).compress(message), message);
  });
});
