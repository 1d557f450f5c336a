// Win32 door of the memory-block macros: CopyMemory, MoveMemory, FillMemory, ZeroMemory,
// SecureZeroMemory, and the IsBad*Ptr probes. In Windows they run inside the process, so here they
// use the process's own CPU view (`mem`): the macros raise AccessViolation (or a guard page
// violation) exactly as the process's code would, and a faulting call stores nothing; the probes
// catch the fault and answer TRUE (consuming a guard page on the way, as Windows does).
import { isWin32Exception } from '../errors';
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

/** Runs a probe; TRUE when it faults (any Win32 exception: access or guard page violation). */
function faults(probe: () => void): boolean {
  try {
    probe();
    return false;
  } catch (error) {
    if (isWin32Exception(error)) return true;
    throw error;
  }
}

/** Calls `touch` on one address in every page of [address, address + size) (X-005: size 0 is never bad). */
function probePages(process: Process, address: number, size: number, touch: (at: number) => void): boolean {
  if (size === 0) return false;
  if (!Number.isSafeInteger(address) || address < 0 || !Number.isSafeInteger(size) || size < 0) return true;
  const pageSize = process.geometry.pageSize;
  const end = address + size;
  return faults(() => {
    for (let at = address; at < end; at = (Math.floor(at / pageSize) + 1) * pageSize) touch(at);
    touch(end - 1);
  });
}

/** IsBadReadPtr: TRUE when any byte of [lp, lp + ucb) cannot be read (reads one byte per page). */
export function IsBadReadPtr(process: Process, lp: number, ucb: number): boolean {
  const mem = process.mem;
  return probePages(process, lp, ucb, (at) => {
    mem.getUint8(at);
  });
}

/** IsBadWritePtr: TRUE when any byte of [lp, lp + ucb) cannot be written (writes each probed byte back). */
export function IsBadWritePtr(process: Process, lp: number, ucb: number): boolean {
  const mem = process.mem;
  return probePages(process, lp, ucb, (at) => {
    mem.setUint8(at, mem.getUint8(at));
  });
}

/** IsBadCodePtr: TRUE when the byte at `lpfn` cannot be read. */
export function IsBadCodePtr(process: Process, lpfn: number): boolean {
  const mem = process.mem;
  return probePages(process, lpfn, 1, (at) => {
    mem.getUint8(at);
  });
}
