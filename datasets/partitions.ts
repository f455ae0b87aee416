/**
 * Partitions of an export window: the whole window, or one per UTC day, or one per calendar month clipped
 * to the window. Keys are stable names (`window`, `2026-11-03`, `2026-11`) used in the ledger and in
 * delivery keys, so they must never change meaning.
 */
import type { ExportWindow, Partitioning } from '../workflows/definitions.js';

export interface Partition {
  key: string;
  period: ExportWindow;
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const parse = (s: string) => new Date(`${s}T00:00:00Z`);

export function partitionsOf(window: ExportWindow, partitioning: Partitioning): Partition[] {
  if (partitioning === 'none') return [{ key: 'window', period: { ...window } }];
  const out: Partition[] = [];
  const end = parse(window.to);
  let cursor = parse(window.from);
  while (cursor <= end) {
    if (partitioning === 'day') {
      out.push({ key: day(cursor), period: { from: day(cursor), to: day(cursor) } });
      cursor = new Date(cursor.getTime() + 86_400_000);
    } else {
      const monthEnd = new Date(Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth() + 1, 0));
      const to = monthEnd < end ? monthEnd : end;
      out.push({ key: day(cursor).slice(0, 7), period: { from: day(cursor), to: day(to) } });
      cursor = new Date(Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth() + 1, 1));
    }
  }
  return out;
}

/** A safety valve: one run may not fan out into more files than this. */
export const MAX_PARTITIONS = 1_000;
