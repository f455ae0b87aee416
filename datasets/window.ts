/**
 * Export window rules (seed 000). Dates are whole UTC days, inclusive. A window may not be reversed, may
 * not reach into the future, may span at most the retention period (24 months), and may not start before
 * the oldest retained day (today minus the retention period), because older data has been deleted.
 * Checks run in that order, so each mistake gets its own message.
 */
export const WINDOW_PROBLEM = {
  reversed: 'reversed',
  future: 'future',
  tooLong: 'too_long',
  beyondRetention: 'beyond_retention',
} as const;
export type WindowProblem = (typeof WINDOW_PROBLEM)[keyof typeof WINDOW_PROBLEM];

export const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

/** Adds calendar months in UTC, clamping to the month's last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return isoDay(target);
}

export function validateWindow(
  window: { from: string; to: string },
  rules: { retentionMonths: number; today: string },
): { reason: WindowProblem; detail: string } | undefined {
  const { from, to } = window;
  const { retentionMonths, today } = rules;
  if (to < from) return { reason: 'reversed', detail: `'to' (${to}) is before 'from' (${from}); dates are inclusive, so for one day send the same date twice` };
  if (to > today) return { reason: 'future', detail: `'to' (${to}) is in the future; the latest day you can export is today, ${today} (UTC)` };
  const longest = addMonths(from, retentionMonths);
  if (to > longest) {
    return { reason: 'too_long', detail: `the range ${from}..${to} is longer than ${retentionMonths} months; split it, e.g. ${from}..${longest}` };
  }
  const earliest = addMonths(today, -retentionMonths);
  if (from < earliest) {
    return {
      reason: 'beyond_retention',
      detail: `'from' (${from}) is older than the ${retentionMonths}-month retention; data before ${earliest} has been deleted, so start on or after it`,
    };
  }
  return undefined;
}

/** Naive UTC with milliseconds, the form ingestion times (ingested_at) compare with: 'YYYY-MM-DD HH:MM:SS.fff'. */
export function naiveUtc(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}
