// ControlArea: the pages of one file shared by every data section that maps it on a machine (NT's
// control area), so two sections created separately over the same file — in one process or in two —
// see each other's stores at once, as on Windows. Pages are indexed by file offset / page size; each
// holds one frame reference, taken on first touch and filled from the file. Dirty pages go back to
// the file on flush and when a writable section dies; the frames go with the last section.
import type { Machine, PhysicalMemory } from '@mem/pages';
import { ERROR_COMMITMENT_LIMIT, MemError } from '@mem/pages';
import type { FileObject } from './file';
import { PageMap } from './page-map';

const areas = new WeakMap<Machine, Map<string, ControlArea>>();

export class ControlArea {
  readonly machine: Machine;
  readonly path: string;
  private readonly physical: PhysicalMemory;
  private readonly pageSize: number;
  private readonly frames = new PageMap(Number.MAX_SAFE_INTEGER, -1);
  /** Files of the sections using this area (one entry per section). */
  private readonly files: FileObject[] = [];

  private constructor(machine: Machine, path: string) {
    this.machine = machine;
    this.path = path;
    this.physical = machine.physical;
    this.pageSize = machine.geometry.pageSize;
  }

  /** The area of `file`'s path on its machine, made on first use. */
  static of(file: FileObject): ControlArea {
    let byPath = areas.get(file.machine);
    if (byPath === undefined) {
      byPath = new Map();
      areas.set(file.machine, byPath);
    }
    let area = byPath.get(file.path);
    if (area === undefined) {
      area = new ControlArea(file.machine, file.path);
      byPath.set(file.path, area);
    }
    return area;
  }

  /** A section over `file` starts using the area. */
  attach(file: FileObject): void {
    this.files.push(file);
  }

  /**
   * A section over `file` stops using the area: its dirty pages are written back when it could write
   * them; with the last section the frames are released and the area forgotten.
   */
  detach(file: FileObject): void {
    const index = this.files.indexOf(file);
    if (index >= 0) this.files.splice(index, 1);
    if (file.rights.write && file.open) this.writeBack(file, 0, Number.MAX_SAFE_INTEGER);
    if (this.files.length > 0) return;
    this.frames.forEachSet(0, Number.MAX_SAFE_INTEGER, (page, frame) => {
      this.physical.release(frame);
      this.frames.set(page, -1);
    });
    const byPath = areas.get(this.machine);
    if (byPath?.get(this.path) === this) byPath.delete(this.path);
  }

  /** The frame of file page `page`, read from `file` on first use. */
  frameFor(page: number, file: FileObject, preferredNode: number): number {
    const existing = this.frames.get(page);
    if (existing >= 0) return existing;
    const frame = this.physical.allocateFrame(preferredNode);
    if (frame < 0) throw new MemError(ERROR_COMMITMENT_LIMIT, 'no frame left for a file page');
    // bytes past the end of the file read as zero
    file.read(page * this.pageSize, this.physical.bytesOf(frame), this.pageSize);
    this.frames.set(page, frame);
    return frame;
  }

  frameIfPresent(page: number): number {
    return this.frames.get(page);
  }

  /** Writes the pages of [first, end) that differ from the file through a writable file of the area. */
  flush(first: number, end: number): number {
    const writer = this.files.find((file) => file.rights.write && file.open);
    return writer === undefined ? 0 : this.writeBack(writer, first, end);
  }

  /** Pages in [first, end) whose bytes differ from the file's are written (up to the end of file). */
  private writeBack(file: FileObject, first: number, end: number): number {
    const fileSize = file.size();
    const onDisk = new Uint8Array(this.pageSize);
    let written = 0;
    this.frames.forEachSet(first, end, (page, frame) => {
      const offset = page * this.pageSize;
      const length = Math.min(this.pageSize, fileSize - offset);
      if (length <= 0) return;
      const bytes = this.physical.bytesOf(frame).subarray(0, length);
      onDisk.fill(0);
      file.read(offset, onDisk, length);
      for (let i = 0; i < length; i++) {
        if (bytes[i] !== onDisk[i]) {
          file.write(offset, bytes);
          written++;
          return;
        }
      }
    });
    return written;
  }
}
