/**
 * The subset of the FUSE kernel protocol (include/uapi/linux/fuse.h) the shim speaks, as pure
 * encoders and decoders over Buffers. Layouts are those of protocol 7.31, which we negotiate:
 * newer kernels keep accepting it.
 */

export const FUSE_KERNEL_VERSION = 7;
/** The minor version we implement; the kernel adapts to min(its own, ours). */
export const FUSE_OUR_MINOR = 31;
export const FUSE_ROOT_ID = 1;

export const Op = {
  LOOKUP: 1, FORGET: 2, GETATTR: 3, SETATTR: 4, READLINK: 5, SYMLINK: 6, MKNOD: 8, MKDIR: 9, UNLINK: 10,
  RMDIR: 11, RENAME: 12, LINK: 13, OPEN: 14, READ: 15, WRITE: 16, STATFS: 17, RELEASE: 18, FSYNC: 20,
  SETXATTR: 21, GETXATTR: 22, LISTXATTR: 23, REMOVEXATTR: 24, FLUSH: 25, INIT: 26, OPENDIR: 27,
  READDIR: 28, RELEASEDIR: 29, FSYNCDIR: 30, ACCESS: 34, CREATE: 35, INTERRUPT: 36, DESTROY: 38,
  BATCH_FORGET: 42, FALLOCATE: 43, READDIRPLUS: 44, RENAME2: 45, LSEEK: 46,
} as const;

/** Operations that would modify the filesystem: answered EROFS. */
export const MODIFYING_OPS: ReadonlySet<number> = new Set([
  Op.SETATTR, Op.SYMLINK, Op.MKNOD, Op.MKDIR, Op.UNLINK, Op.RMDIR, Op.RENAME, Op.LINK, Op.WRITE,
  Op.SETXATTR, Op.REMOVEXATTR, Op.CREATE, Op.FALLOCATE, Op.RENAME2,
]);

/** Operations the kernel sends without expecting a reply. */
export const NO_REPLY_OPS: ReadonlySet<number> = new Set([Op.FORGET, Op.BATCH_FORGET, Op.INTERRUPT]);

export const Errno = { EPERM: 1, ENOENT: 2, EIO: 5, EBADF: 9, EACCES: 13, EINVAL: 22, EROFS: 30, ENOSYS: 38 } as const;

export const FOPEN_DIRECT_IO = 1 << 0;
/** Notification asking the kernel to queue again every request a dead daemon had taken (6.9+). */
export const FUSE_NOTIFY_RESEND = 7;
/** Notification storing data in the page cache, growing the inode's size if it ends beyond it. */
export const FUSE_NOTIFY_STORE = 4;

/** fuse_notify_store_out + data. */
export function encodeNotifyStore(nodeid: number, offset: number, data: Buffer): Buffer {
  const body = Buffer.alloc(24 + data.length);
  body.writeBigUInt64LE(BigInt(nodeid), 0);
  body.writeBigUInt64LE(BigInt(offset), 8);
  body.writeUInt32LE(data.length, 16);
  data.copy(body, 24);
  return encodeNotify(FUSE_NOTIFY_STORE, body);
}

export const IN_HEADER_BYTES = 40;
export const OUT_HEADER_BYTES = 16;
export const ATTR_BYTES = 88;

export interface InHeader {
  readonly len: number;
  readonly opcode: number;
  /** u64 request id; bigint because resent requests carry bit 63. */
  readonly unique: bigint;
  readonly nodeid: number;
  readonly uid: number;
  readonly gid: number;
  /** The calling thread's pid, in the pid namespace of the process that mounted. */
  readonly pid: number;
}

export function decodeInHeader(buf: Buffer): InHeader {
  return {
    len: buf.readUInt32LE(0),
    opcode: buf.readUInt32LE(4),
    unique: buf.readBigUInt64LE(8),
    nodeid: Number(buf.readBigUInt64LE(16)),
    uid: buf.readUInt32LE(24),
    gid: buf.readUInt32LE(28),
    pid: buf.readUInt32LE(32),
  };
}

/** A reply: the out header followed by `body`. `errno` > 0 sends an error with no body. */
export function encodeReply(unique: bigint, errno: number, body?: Buffer): Buffer {
  const len = OUT_HEADER_BYTES + (errno === 0 && body !== undefined ? body.length : 0);
  const out = Buffer.alloc(len);
  out.writeUInt32LE(len, 0);
  out.writeInt32LE(-errno, 4);
  out.writeBigUInt64LE(unique, 8);
  if (errno === 0 && body !== undefined) body.copy(out, OUT_HEADER_BYTES);
  return out;
}

/** A notification: unique 0 and the notify code in the error field. */
export function encodeNotify(code: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.alloc(OUT_HEADER_BYTES + body.length);
  out.writeUInt32LE(out.length, 0);
  out.writeInt32LE(code, 4);
  out.writeBigUInt64LE(0n, 8);
  body.copy(out, OUT_HEADER_BYTES);
  return out;
}

export interface InitIn {
  readonly major: number;
  readonly minor: number;
  readonly maxReadahead: number;
  readonly flags: number;
}

export function decodeInitIn(body: Buffer): InitIn {
  return { major: body.readUInt32LE(0), minor: body.readUInt32LE(4), maxReadahead: body.readUInt32LE(8), flags: body.readUInt32LE(12) };
}

/** fuse_init_out (64 bytes since 7.23). We ask for no optional features. */
export function encodeInitOut(kernel: InitIn, maxWrite: number): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32LE(FUSE_KERNEL_VERSION, 0);
  b.writeUInt32LE(Math.min(kernel.minor, FUSE_OUR_MINOR), 4);
  b.writeUInt32LE(kernel.maxReadahead, 8);
  b.writeUInt32LE(0, 12); // flags
  b.writeUInt16LE(64, 16); // max_background
  b.writeUInt16LE(48, 18); // congestion_threshold
  b.writeUInt32LE(maxWrite, 20);
  b.writeUInt32LE(1, 24); // time_gran (ns)
  return b;
}

export interface Attr {
  readonly ino: number;
  readonly size: number;
  /** st_mode including the file type bits. */
  readonly mode: number;
  readonly nlink: number;
  readonly timeSec: number;
}

export function encodeAttr(a: Attr, into: Buffer, at: number): void {
  into.fill(0, at, at + ATTR_BYTES);
  into.writeBigUInt64LE(BigInt(a.ino), at);
  into.writeBigUInt64LE(BigInt(a.size), at + 8);
  into.writeBigUInt64LE(BigInt(Math.ceil(a.size / 512)), at + 16);
  for (const off of [24, 32, 40]) into.writeBigUInt64LE(BigInt(a.timeSec), at + off);
  into.writeUInt32LE(a.mode, at + 60);
  into.writeUInt32LE(a.nlink, at + 64);
  // uid, gid, rdev stay 0 (root-owned, like lxcfs)
  into.writeUInt32LE(4096, at + 80); // blksize
}

/** fuse_entry_out: LOOKUP's answer. */
export function encodeEntryOut(a: Attr, validSec: number): Buffer {
  const b = Buffer.alloc(40 + ATTR_BYTES);
  b.writeBigUInt64LE(BigInt(a.ino), 0);
  b.writeBigUInt64LE(1n, 8); // generation: inode numbers are never reused
  b.writeBigUInt64LE(BigInt(validSec), 16);
  b.writeBigUInt64LE(BigInt(validSec), 24);
  encodeAttr(a, b, 40);
  return b;
}

/** fuse_attr_out: GETATTR's answer. */
export function encodeAttrOut(a: Attr, validSec: number): Buffer {
  const b = Buffer.alloc(16 + ATTR_BYTES);
  b.writeBigUInt64LE(BigInt(validSec), 0);
  encodeAttr(a, b, 16);
  return b;
}

export function encodeOpenOut(fh: bigint, openFlags: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64LE(fh, 0);
  b.writeUInt32LE(openFlags, 8);
  return b;
}

export interface ReadIn {
  readonly fh: bigint;
  readonly offset: number;
  readonly size: number;
}

/** fuse_read_in (also READDIR's request). */
export function decodeReadIn(body: Buffer): ReadIn {
  return { fh: body.readBigUInt64LE(0), offset: Number(body.readBigUInt64LE(8)), size: body.readUInt32LE(16) };
}

/** fuse_kstatfs: a tiny read-only filesystem with no free space. */
export function encodeStatfs(files: number): Buffer {
  const b = Buffer.alloc(80);
  b.writeBigUInt64LE(BigInt(files), 24);
  b.writeUInt32LE(4096, 40); // bsize
  b.writeUInt32LE(255, 44); // namelen
  b.writeUInt32LE(4096, 48); // frsize
  return b;
}

export const DT_DIR = 4;
export const DT_REG = 8;

export interface DirEntry {
  readonly ino: number;
  readonly name: string;
  readonly type: number;
}

/**
 * fuse_dirent records from entry `offset` on, as many as fit in `size` bytes. Each record's
 * `off` is the index of the next entry, which the kernel hands back as the next offset.
 */
export function encodeDirents(entries: readonly DirEntry[], offset: number, size: number): Buffer {
  const parts: Buffer[] = [];
  let used = 0;
  for (let i = offset; i < entries.length; i++) {
    const e = entries[i] as DirEntry;
    const name = Buffer.from(e.name);
    const recLen = (24 + name.length + 7) & ~7;
    if (used + recLen > size) break;
    const rec = Buffer.alloc(recLen);
    rec.writeBigUInt64LE(BigInt(e.ino), 0);
    rec.writeBigUInt64LE(BigInt(i + 1), 8);
    rec.writeUInt32LE(name.length, 16);
    rec.writeUInt32LE(e.type, 20);
    name.copy(rec, 24);
    parts.push(rec);
    used += recLen;
  }
  return Buffer.concat(parts);
}

/** The NUL-terminated name in a LOOKUP body. */
export function decodeName(body: Buffer): string {
  const nul = body.indexOf(0);
  return body.toString('utf8', 0, nul === -1 ? body.length : nul);
}
