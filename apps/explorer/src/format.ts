// Number formatting for the explorer: addresses in hex as debuggers print them, sizes in binary units.

/** An address in hex, zero-padded to the pointer width (12 digits cover x64's 47-bit user space). */
export function hex(address: number, digits = 12): string {
  return `0x${address.toString(16).toUpperCase().padStart(digits, '0')}`;
}

/** Bytes in the largest binary unit that keeps the figure ≥ 1 ("64 KiB", "1.5 MiB", "128 TiB"). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 || Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1);
  return `${text} ${units[unit]}`;
}

/** A Win32 PAGE_* protection as VMMap prints it ("Read/Write", "Execute/Read" ...), plus modifiers. */
export function formatProtection(protect: number): string {
  if (protect === 0) return '';
  const names: Record<number, string> = {
    1: 'No access',
    2: 'Read',
    4: 'Read/Write',
    8: 'Copy on write',
    16: 'Execute',
    32: 'Execute/Read',
    64: 'Execute/Read/Write',
    128: 'Execute/Copy on write',
  };
  const base = protect % 0x100;
  let text = names[base] ?? `0x${base.toString(16)}`;
  const modifiers = Math.floor(protect / 0x100);
  if (modifiers % 2 === 1) text += ' +Guard';
  if (Math.floor(modifiers / 2) % 2 === 1) text += ' +NoCache';
  if (Math.floor(modifiers / 4) % 2 === 1) text += ' +WriteCombine';
  return text;
}

/** An integer with thousands separators ("1,575,042"), without Intl (its first use is slow). */
export function groupDigits(value: number): string {
  const digits = String(Math.trunc(Math.abs(value)));
  let result = '';
  for (let index = 0; index < digits.length; index++) {
    if (index > 0 && (digits.length - index) % 3 === 0) result += ',';
    result += digits[index];
  }
  return value < 0 ? `-${result}` : result;
}
