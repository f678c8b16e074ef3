import type { ShimFile } from '../view/files';
import type { Reply } from './session';
import type { FuseHandler } from './session';
import type { Attr, InHeader, InitIn } from './protocol';
import {
  Errno, FOPEN_DIRECT_IO, MODIFYING_OPS, Op, decodeInitIn, decodeName, decodeReadIn, encodeAttrOut,
  encodeDirents, encodeEntryOut, encodeInitOut, encodeNotifyStore, encodeOpenOut, encodeStatfs,
} from './protocol';
import { SnapshotStore, allocateSnapshots } from './snapshots';
import type { TreeNode } from './tree';
import { ShimTree } from './tree';

/** Renders a whole file for a reader; the server never sees cgroups, only text. */
export type RenderFn = (file: ShimFile, pid: number) => Promise<string>;
/** The same render without waiting, or undefined when it would have to wait (then RenderFn). */
export type RenderNowFn = (file: ShimFile, pid: number) => string | undefined;

const ATTR_VALID_SEC = 1;
const O_ACCMODE = 3;
const W_OK = 2;
const MAX_WRITE = 4096;
/** Renders kept for handles of a previous worker (see read()); bounded, they are rare. */
const MAX_FOREIGN = 256;
const ENFILE = 23;

/**
 * The shim's FUSE operations. Files are rendered completely at OPEN, for the pid in that request,
 * and READs serve slices of that snapshot, so a reader never sees a mix of two renders. A READ
 * from offset 0 of a snapshot already read from offset 0 (a reader that seeks back and reads
 * again, as top and free's procps do with a file kept open) renders afresh, as lxcfs does.
 * Snapshots live in a SnapshotStore shared by every serving thread.
 */
export class ShimFuseServer implements FuseHandler {
  private readonly tree = new ShimTree();
  /** Renders for handles this worker did not open (a previous worker's), this thread only. */
  private readonly foreign = new Map<bigint, Buffer>();
  /** OPENs refused because the snapshot store was full (counted, never silent). */
  storeFull = 0;
  private readonly mountedAt = Math.floor(Date.now() / 1000);

  /** Length of the last render per inode: what GETATTR reports as the size. */
  private readonly lastLength = new Map<number, number>();

  /**
   * @param notify sends a notification to the kernel (FuseSession.notify); used to keep the
   *   inode size right for readers that use sendfile/splice (see open()).
   */
  constructor(
    private readonly render: RenderFn,
    private readonly onInit: (init: InitIn) => void = () => undefined,
    private readonly notify: (message: Buffer) => void = () => undefined,
    private readonly store: SnapshotStore = new SnapshotStore(allocateSnapshots(1024, 1024)),
    private readonly renderNow: RenderNowFn = () => undefined,
  ) {}

  /** Open file handles (for tests and shutdown diagnostics). */
  openHandles(): number {
    return this.store.open() + this.foreign.size;
  }

  /** Synchronous for everything but an OPEN and a re-render: no promise per READ or RELEASE. */
  handle(h: InHeader, body: Buffer): Reply | undefined | Promise<Reply> {
    if (MODIFYING_OPS.has(h.opcode)) return { errno: Errno.EROFS };
    switch (h.opcode) {
      case Op.INIT: {
        const init = decodeInitIn(body);
        this.onInit(init);
        return { errno: 0, body: encodeInitOut(init, MAX_WRITE) };
      }
      case Op.LOOKUP: {
        const node = this.tree.lookup(h.nodeid, decodeName(body));
        return node === undefined ? { errno: Errno.ENOENT } : { errno: 0, body: encodeEntryOut(this.attr(node), ATTR_VALID_SEC) };
      }
      case Op.GETATTR: {
        const node = this.tree.get(h.nodeid);
        return node === undefined ? { errno: Errno.ENOENT } : { errno: 0, body: encodeAttrOut(this.attr(node), ATTR_VALID_SEC) };
      }
      case Op.OPEN:
        return this.open(h, body);
      case Op.READ:
        return this.read(h, body);
      case Op.RELEASE: {
        const fh = decodeReadIn(body).fh;
        this.store.release(fh);
        this.foreign.delete(fh);
        return { errno: 0 };
      }
      case Op.OPENDIR:
        return this.tree.get(h.nodeid)?.file === undefined ? { errno: 0, body: encodeOpenOut(0n, 0) } : { errno: Errno.ENOENT };
      case Op.READDIR: {
        const node = this.tree.get(h.nodeid);
        if (node === undefined) return { errno: Errno.ENOENT };
        const r = decodeReadIn(body);
        return { errno: 0, body: encodeDirents(this.tree.entries(node), r.offset, r.size) };
      }
      case Op.RELEASEDIR:
        return { errno: 0 };
      case Op.FLUSH:
      case Op.FSYNC:
      case Op.FSYNCDIR:
        // ENOSYS makes the kernel stop sending these: one request fewer on every close().
        return { errno: Errno.ENOSYS };
      case Op.STATFS:
        return { errno: 0, body: encodeStatfs(this.tree.size()) };
      case Op.ACCESS:
        return { errno: (body.readUInt32LE(0) & W_OK) !== 0 ? Errno.EACCES : 0 };
      case Op.DESTROY:
        return { errno: 0 };
      case Op.FORGET:
      case Op.BATCH_FORGET:
      case Op.INTERRUPT:
        return undefined; // inodes are static; interrupts: our replies are prompt anyway
      default:
        return { errno: Errno.ENOSYS };
    }
  }

  private attr(node: TreeNode): Attr {
    const isDir = node.file === undefined;
    // read() uses direct I/O and ignores the size; it matters to sendfile/splice and to tools
    // that seek from the end, so report the latest render's length, as lxcfs reports the host's.
    const size = isDir ? 0 : (this.lastLength.get(node.ino) ?? 0);
    return { ino: node.ino, size, mode: isDir ? 0o40555 : 0o100444, nlink: isDir ? 2 : 1, timeSec: this.mountedAt };
  }

  /** Synchronous when the render needs no waiting (a reader seen before, kept descriptors). */
  private open(h: InHeader, body: Buffer): Reply | Promise<Reply> {
    const node = this.tree.get(h.nodeid);
    if (node?.file === undefined) return { errno: node === undefined ? Errno.ENOENT : Errno.EINVAL };
    if ((body.readUInt32LE(0) & O_ACCMODE) !== 0) return { errno: Errno.EACCES };
    const now = this.renderNow(node.file, h.pid);
    if (now !== undefined) return this.opened(node.ino, now);
    return this.render(node.file, h.pid).then((text) => this.opened(node.ino, text));
  }

  private opened(ino: number, text: string): Reply {
    const fh = this.store.create(text);
    if (fh === undefined) {
      this.storeFull++;
      return { errno: ENFILE };
    }
    // The stored pages, as a view: the text was encoded straight into them.
    const content = this.store.get(fh) as Buffer;
    this.lastLength.set(ino, content.length);
    // sendfile/splice (busybox cat, cp, Go's io.Copy) read through the page cache, bounded by
    // the inode size, even with direct I/O. Storing the last byte at its offset grows the size to
    // at least this reader's length before it reads; the page stays not-uptodate, so its data
    // still comes from READ, and the kernel trims the size to the short read at the end.
    if (content.length > 0) this.notify(encodeNotifyStore(ino, content.length - 1, content.subarray(content.length - 1)));
    return { errno: 0, body: encodeOpenOut(fh, FOPEN_DIRECT_IO) };
  }

  private read(h: InHeader, body: Buffer): Reply | Promise<Reply> {
    const r = decodeReadIn(body);
    const content = this.store.get(r.fh) ?? this.foreign.get(r.fh);
    // A handle opened by a previous worker (we were restarted between OPEN and READ): render
    // again for this reader rather than failing its read.
    if (content === undefined) return this.readForeign(h, r.fh, r.offset, r.size);
    if (r.offset === 0 && this.store.markServed(r.fh)) return this.reread(h, r.fh, r.size, content);
    return slice(content, r.offset, r.size);
  }

  private async readForeign(h: InHeader, fh: bigint, offset: number, size: number): Promise<Reply> {
    const file = this.tree.get(h.nodeid)?.file;
    if (file === undefined) return { errno: Errno.EBADF };
    const content = Buffer.from(await this.render(file, h.pid));
    if (this.foreign.size >= MAX_FOREIGN) this.foreign.clear();
    this.foreign.set(fh, content);
    return slice(content, offset, size);
  }

  /** A reader that reads again from offset 0 of a handle gets a fresh render, as with lxcfs. */
  private async reread(h: InHeader, fh: bigint, size: number, previous: Buffer): Promise<Reply> {
    const file = this.tree.get(h.nodeid)?.file;
    if (file === undefined) return slice(previous, 0, size);
    const fresh = Buffer.from(await this.render(file, h.pid));
    // If the store cannot take it, the previous snapshot is served: stale, never mixed.
    return slice(this.store.replace(fh, fresh) ? fresh : previous, 0, size);
  }
}

function slice(content: Buffer, offset: number, size: number): Reply {
  return { errno: 0, body: content.subarray(Math.min(offset, content.length), Math.min(offset + size, content.length)) };
}
