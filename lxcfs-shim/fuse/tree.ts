import type { ShimFile } from '../view/files';
import { SHIM_FILES } from '../view/files';
import type { DirEntry } from './protocol';
import { DT_DIR, DT_REG, FUSE_ROOT_ID } from './protocol';

export interface TreeNode {
  readonly ino: number;
  readonly name: string;
  readonly parent: number;
  /** Set for files; directories have children instead. */
  readonly file: ShimFile | undefined;
  readonly children: Map<string, number>;
}

/**
 * The mount's fixed tree (proc/meminfo, …, sys/devices/system/cpu/online). Inode numbers are
 * assigned in a fixed order, so a restarted worker gives every path the same inode the kernel
 * already knows.
 */
export class ShimTree {
  private readonly nodes = new Map<number, TreeNode>();

  constructor() {
    this.nodes.set(FUSE_ROOT_ID, { ino: FUSE_ROOT_ID, name: '', parent: FUSE_ROOT_ID, file: undefined, children: new Map() });
    for (const spec of SHIM_FILES) {
      const parts = spec.path.split('/').filter((p) => p !== '');
      let dir = FUSE_ROOT_ID;
      parts.forEach((name, i) => {
        const parent = this.nodes.get(dir) as TreeNode;
        let ino = parent.children.get(name);
        if (ino === undefined) {
          ino = this.nodes.size + 1;
          this.nodes.set(ino, { ino, name, parent: dir, file: i === parts.length - 1 ? spec.file : undefined, children: new Map() });
          parent.children.set(name, ino);
        }
        dir = ino;
      });
    }
  }

  get(ino: number): TreeNode | undefined {
    return this.nodes.get(ino);
  }

  lookup(parent: number, name: string): TreeNode | undefined {
    const ino = this.nodes.get(parent)?.children.get(name);
    return ino === undefined ? undefined : this.nodes.get(ino);
  }

  size(): number {
    return this.nodes.size;
  }

  entries(dir: TreeNode): DirEntry[] {
    const out: DirEntry[] = [
      { ino: dir.ino, name: '.', type: DT_DIR },
      { ino: dir.parent, name: '..', type: DT_DIR },
    ];
    for (const ino of dir.children.values()) {
      const n = this.nodes.get(ino) as TreeNode;
      out.push({ ino, name: n.name, type: n.file === undefined ? DT_DIR : DT_REG });
    }
    return out;
  }
}
