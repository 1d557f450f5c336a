// Win32 door of the memory-block macros: CopyMemory, MoveMemory, FillMemory, ZeroMemory,
// SecureZeroMemory. In Windows they are memcpy/memmove/memset running inside the process, so here
// they run on the process's own CPU view (`mem`): a bad address raises AccessViolation (or a guard
// page violation) exactly as the process's code would, and a faulting call stores nothing.
import type { Process } from '../process';

/** CopyMemory (RtlCopyMemory, memcpy): copies `Length` bytes from `Source` to `Destination`. */
export function CopyMemory(process: Process, Destination: number, Source: number, Length: number): void {
  process.mem.copy(Destination, Source, Length);
}

/** MoveMemory (RtlMoveMemory, memmove): as CopyMemory; the blocks may overlap. */
export function MoveMemory(process: Process, Destination: number, Source: number, Length: number): void {
  process.mem.copy(Destination, Source, Length);
}

/** FillMemory (RtlFillMemory, memset): `Length` bytes of `Fill` (its low byte) at `Destination`. */
export function FillMemory(process: Process, Destination: number, Length: number, Fill: number): void {
  process.mem.fill(Destination, Length, Fill & 0xff);
}

/** ZeroMemory (RtlZeroMemory): `Length` zero bytes at `Destination`. */
export function ZeroMemory(process: Process, Destination: number, Length: number): void {
  process.mem.fill(Destination, Length, 0);
}

/** SecureZeroMemory: ZeroMemory the compiler may not remove; returns `ptr` as the C function does. */
export function SecureZeroMemory(process: Process, ptr: number, cnt: number): number {
  process.mem.fill(ptr, cnt, 0);
  return ptr;
}
