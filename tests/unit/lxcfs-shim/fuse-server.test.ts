import assert from 'node:assert/strict';

import type { InHeader } from '../../../lxcfs-shim/fuse/protocol';
import { Errno, Op, decodeInHeader, encodeDirents, encodeReply } from '../../../lxcfs-shim/fuse/protocol';
import { ShimFuseServer } from '../../../lxcfs-shim/fuse/server';
import { ShimTree } from '../../../lxcfs-shim/fuse/tree';

const tree = new ShimTree();
const meminfoIno = tree.lookup(tree.lookup(1, 'proc')!.ino, 'meminfo')!.ino;
const statIno = tree.lookup(tree.lookup(1, 'proc')!.ino, 'stat')!.ino;

function hdr(opcode: number, nodeid: number, pid = 100): InHeader {
  return { len: 0, opcode, unique: 7n, nodeid, uid: 0, gid: 0, pid };
}
function openBody(flags = 0): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(flags, 0);
  return b;
}
function readBody(fh: bigint, offset: number, size: number): Buffer {
  const b = Buffer.alloc(40);
  b.writeBigUInt64LE(fh, 0);
  b.writeBigUInt64LE(BigInt(offset), 8);
  b.writeUInt32LE(size, 16);
  return b;
}

describe('lxcfs-shim FUSE protocol and server', () => {
  it('decodes the request header and encodes error replies', () => {
    const b = Buffer.alloc(40);
    b.writeUInt32LE(40, 0);
    b.writeUInt32LE(Op.OPEN, 4);
    b.writeBigUInt64LE((1n << 63n) | 5n, 8);
    b.writeUInt32LE(4242, 32);
    const h = decodeInHeader(b);
    assert.equal(h.pid, 4242);
    assert.equal(h.unique, (1n << 63n) | 5n, 'the resend bit survives');
    const r = encodeReply(9n, Errno.EROFS);
    assert.deepEqual([r.readUInt32LE(0), r.readInt32LE(4)], [16, -30]);
  });

  it('encodes dirents 8-byte aligned with next-entry offsets', () => {
    const d = encodeDirents([{ ino: 1, name: '.', type: 4 }, { ino: 2, name: 'meminfo', type: 8 }], 0, 4096);
    assert.equal(d.length, 32 + 32);
    assert.equal(d.readBigUInt64LE(8), 1n);
    assert.equal(encodeDirents([{ ino: 1, name: '.', type: 4 }, { ino: 2, name: 'meminfo', type: 8 }], 1, 4096).length, 32);
  });

  it('renders once at OPEN and serves every READ from that snapshot', async () => {
    let n = 0;
    const server = new ShimFuseServer(() => Promise.resolve(`render ${++n}\n`));
    const open = await server.handle(hdr(Op.OPEN, meminfoIno), openBody());
    const fh = open!.body!.readBigUInt64LE(0);
    const a = await server.handle(hdr(Op.READ, meminfoIno), readBody(fh, 0, 3));
    const b = await server.handle(hdr(Op.READ, meminfoIno), readBody(fh, 3, 100));
    assert.equal(Buffer.concat([a!.body!, b!.body!]).toString(), 'render 1\n');
    assert.equal(n, 1);
    assert.equal(open!.body!.readUInt32LE(8) & 1, 1, 'direct_io');
  });

  it('answers READ of a snapshot, its EOF, RELEASE and GETATTR synchronously (no promise per request)', async () => {
    const server = new ShimFuseServer(() => Promise.resolve('render\n'));
    const fh = (await server.handle(hdr(Op.OPEN, meminfoIno), openBody()))!.body!.readBigUInt64LE(0);
    const read = server.handle(hdr(Op.READ, meminfoIno), readBody(fh, 0, 100));
    assert.ok(!(read instanceof Promise), 'first READ');
    assert.equal(read!.body!.toString(), 'render\n');
    const eof = server.handle(hdr(Op.READ, meminfoIno), readBody(fh, 7, 100));
    assert.ok(!(eof instanceof Promise) && eof!.body!.length === 0, 'EOF READ');
    assert.ok(!(server.handle(hdr(Op.GETATTR, meminfoIno), Buffer.alloc(16)) instanceof Promise), 'GETATTR');
    const again = server.handle(hdr(Op.READ, meminfoIno), readBody(fh, 0, 100));
    assert.ok(again instanceof Promise, 'a re-read from offset 0 renders afresh, asynchronously');
    await again;
    assert.ok(!(server.handle(hdr(Op.RELEASE, meminfoIno), readBody(fh, 0, 0)) instanceof Promise), 'RELEASE');
    assert.equal(server.openHandles(), 0);
  });

  it('answers OPEN synchronously when the render needs no waiting, and by render() when it would', async () => {
    const server = new ShimFuseServer(() => Promise.resolve('slow\n'), undefined, undefined, undefined,
      (_file, pid) => (pid === 1 ? 'now\n' : undefined));
    const now = server.handle(hdr(Op.OPEN, meminfoIno, 1), openBody());
    assert.ok(!(now instanceof Promise), 'known reader: no promise');
    const fastFh = now!.body!.readBigUInt64LE(0);
    const late = server.handle(hdr(Op.OPEN, meminfoIno, 2), openBody());
    assert.ok(late instanceof Promise, 'a reader not in hand takes the render() way');
    const slowFh = (await late).body!.readBigUInt64LE(0);
    const text = (fh: bigint): string => (server.handle(hdr(Op.READ, meminfoIno), readBody(fh, 0, 100)) as { body: Buffer }).body.toString();
    assert.deepEqual([text(fastFh), text(slowFh)], ['now\n', 'slow\n']);
  });

  it('renders afresh when a reader seeks back and reads from offset 0 again (top, procps free), as lxcfs does', async () => {
    let n = 0;
    const server = new ShimFuseServer(() => Promise.resolve(`render ${++n}\n`));
    const fh = (await server.handle(hdr(Op.OPEN, meminfoIno), openBody()))!.body!.readBigUInt64LE(0);
    assert.equal((await server.handle(hdr(Op.READ, meminfoIno), readBody(fh, 0, 100)))!.body!.toString(), 'render 1\n');
    assert.equal((await server.handle(hdr(Op.READ, meminfoIno), readBody(fh, 9, 100)))!.body!.length, 0, 'EOF');
    assert.equal((await server.handle(hdr(Op.READ, meminfoIno), readBody(fh, 0, 100)))!.body!.toString(), 'render 2\n');
    await server.handle(hdr(Op.RELEASE, meminfoIno), readBody(fh, 0, 0));
    assert.equal(server.openHandles(), 0);
  });

  it('a slow render does not hold up another reader', async () => {
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const server = new ShimFuseServer(async (file) => {
      if (file === 'meminfo') await slow;
      return `${file}\n`;
    });
    const first = server.handle(hdr(Op.OPEN, meminfoIno, 1), openBody());
    const second = await server.handle(hdr(Op.OPEN, statIno, 2), openBody());
    assert.equal(second!.errno, 0, 'stat opened while meminfo was still rendering');
    release();
    assert.equal((await first)!.errno, 0);
  });

  it('re-renders for a handle it does not know (opened by a previous worker)', async () => {
    const server = new ShimFuseServer((_f, pid) => Promise.resolve(`for ${pid}\n`));
    const r = await server.handle(hdr(Op.READ, meminfoIno, 55), readBody(123n, 0, 100));
    assert.equal(r!.body!.toString(), 'for 55\n');
  });

  it('refuses writes: EACCES for write opens and access(W_OK), EROFS for modifying ops', async () => {
    const server = new ShimFuseServer(() => Promise.resolve(''));
    assert.equal((await server.handle(hdr(Op.OPEN, meminfoIno), openBody(1)))!.errno, Errno.EACCES);
    const access = Buffer.alloc(8);
    access.writeUInt32LE(2, 0);
    assert.equal((await server.handle(hdr(Op.ACCESS, meminfoIno), access))!.errno, Errno.EACCES);
    for (const op of [Op.WRITE, Op.SETATTR, Op.CREATE, Op.MKDIR, Op.UNLINK]) {
      assert.equal((await server.handle(hdr(op, meminfoIno), Buffer.alloc(64)))!.errno, Errno.EROFS);
    }
    assert.equal(await server.handle(hdr(Op.FORGET, meminfoIno), Buffer.alloc(8)), undefined, 'FORGET gets no reply');
  });

  it('looks up the fixed tree and lists directories', async () => {
    const server = new ShimFuseServer(() => Promise.resolve(''));
    const name = Buffer.from('proc\0');
    assert.equal((await server.handle(hdr(Op.LOOKUP, 1), name))!.errno, 0);
    assert.equal((await server.handle(hdr(Op.LOOKUP, 1), Buffer.from('nope\0')))!.errno, Errno.ENOENT);
    const online = tree.lookup(tree.lookup(tree.lookup(tree.lookup(1, 'sys')!.ino, 'devices')!.ino, 'system')!.ino, 'cpu')!;
    assert.ok(tree.lookup(online.ino, 'online') !== undefined);
  });
});
