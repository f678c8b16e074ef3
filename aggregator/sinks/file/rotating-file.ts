import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * An append-only file that rotates by size like logrotate's numbered scheme: `f` → `f.1` → … →
 * `f.<maxFiles>`, the oldest removed. Writes are whole chunks so a line never straddles files.
 */
export class RotatingFile {
  private handle: FileHandle | undefined;
  private size = 0;

  constructor(
    readonly file: string,
    private readonly maxBytes: number,
    private readonly maxFiles: number,
    private readonly fsync: boolean,
  ) {}

  async write(chunk: string): Promise<void> {
    const bytes = Buffer.byteLength(chunk);
    if (!this.handle) await this.openCurrent();
    if (this.size > 0 && this.size + bytes > this.maxBytes) await this.rotate();
    await (this.handle as FileHandle).appendFile(chunk);
    this.size += bytes;
    if (this.fsync) await (this.handle as FileHandle).sync();
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private async openCurrent(): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    this.handle = await open(this.file, 'a');
    this.size = (await stat(this.file)).size;
  }

  private async rotate(): Promise<void> {
    await this.close();
    await rm(`${this.file}.${this.maxFiles}`, { force: true });
    for (let i = this.maxFiles - 1; i >= 1; i -= 1) await renameIfExists(`${this.file}.${i}`, `${this.file}.${i + 1}`);
    await renameIfExists(this.file, `${this.file}.1`);
    await this.openCurrent();
  }
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
