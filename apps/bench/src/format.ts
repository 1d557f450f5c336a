// Number formatting shared by the terminal table, Markdown and HTML reports.

export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return '-';
  if (ns >= 10000) return `${(ns / 1000).toFixed(0)}k`;
  if (ns >= 100) return ns.toFixed(0);
  return ns.toFixed(1);
}

export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) && ratio > 0 ? ratio.toFixed(3) : '-';
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
