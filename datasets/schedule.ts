/**
 * Schedules (seeds 000 and 002): when a scheduled export fires and which window each firing covers. A
 * firing's window is the whole period (day, Monday-Sunday week, or calendar month) that holds the day before
 * the firing's date, in the schedule's time zone: the weekly preset fires on Monday and covers the prior
 * Monday to Sunday, the monthly one fires on the 1st and covers the prior month. Windows come from the
 * schedule's nominal time, never the wall clock, so catch-up and backfill produce exactly the right windows.
 * Zone arithmetic uses Intl (IANA data), so daylight-saving changes and leap years are handled by the
 * calendar rather than by adding hours.
 */
import { z } from 'zod';

export const SCHEDULE_PRESETS = ['daily', 'weekly', 'monthly'] as const;
export type SchedulePreset = (typeof SCHEDULE_PRESETS)[number];
export type SchedulePeriod = 'day' | 'week' | 'month';

const PRESET_PERIOD: Record<SchedulePreset, SchedulePeriod> = { daily: 'day', weekly: 'week', monthly: 'month' };

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** A cron expression of 5 fields (minute hour day-of-month month day-of-week), as Temporal reads them. */
const CRON = /^(\S+\s+){4}\S+$/;

export const scheduleSchema = z
  .object({
    preset: z.enum(SCHEDULE_PRESETS).optional().describe("'daily' (prior day), 'weekly' (Mondays, prior Monday-Sunday), 'monthly' (the 1st, prior month)."),
    cron: z.string().trim().regex(CRON, 'must be a 5-field cron expression, e.g. "0 6 * * 1-5"').optional().describe('Instead of a preset: when to fire.'),
    period: z.enum(['day', 'week', 'month']).optional().describe("With cron: the window each firing covers, the period before the firing's day (default 'day')."),
    timezone: z.string().default('UTC').refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').describe('IANA time zone of the publish time and the windows.'),
    publishTime: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM, e.g. '08:00'")
      .default('08:00')
      .describe('Local time the preset fires (not with cron).'),
    settleDelay: z
      .string()
      .regex(/^\d{1,4}[mh]$/, "must be minutes or hours, e.g. '30m' or '6h'")
      .default('0m')
      .describe('A run waits until its period has been closed this long, so late events are in it.'),
  })
  .strict()
  .refine((s) => (s.preset === undefined) !== (s.cron === undefined), { message: "give either 'preset' or 'cron'", path: ['preset'] })
  .refine((s) => !s.period || s.cron !== undefined, { message: "'period' goes with 'cron'; presets have their own", path: ['period'] });

export type Schedule = z.infer<typeof scheduleSchema>;

export const schedulePeriod = (s: Schedule): SchedulePeriod => (s.preset ? PRESET_PERIOD[s.preset] : (s.period ?? 'day'));

export function settleDelayMs(s: Schedule): number {
  const n = Number(s.settleDelay.slice(0, -1));
  return n * (s.settleDelay.endsWith('h') ? 3_600_000 : 60_000);
}

/** The Temporal ScheduleSpec parts for a schedule (calendar for presets, cron otherwise), in its zone. */
export function temporalCalendar(s: Schedule): { calendars?: { hour: number; minute: number; dayOfWeek?: 'MONDAY'; dayOfMonth?: number }[]; cronExpressions?: string[]; timezone: string } {
  if (s.cron) return { cronExpressions: [s.cron], timezone: s.timezone };
  const [hour, minute] = s.publishTime.split(':').map(Number) as [number, number];
  const base = { hour, minute };
  if (s.preset === 'weekly') return { calendars: [{ ...base, dayOfWeek: 'MONDAY' }], timezone: s.timezone };
  if (s.preset === 'monthly') return { calendars: [{ ...base, dayOfMonth: 1 }], timezone: s.timezone };
  return { calendars: [base], timezone: s.timezone };
}

const dayParts = (d: string) => d.split('-').map(Number) as [number, number, number];
const ymd = (date: Date) => date.toISOString().slice(0, 10);
const addDays = (d: string, n: number) => {
  const [y, m, day] = dayParts(d);
  return ymd(new Date(Date.UTC(y, m - 1, day + n)));
};

/** The calendar date of `instant` in `tz`. */
export function localDate(instant: Date, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Minutes `tz` is ahead of UTC at `instant` (Europe/Berlin: 60 in winter, 120 in summer). */
export function zoneOffsetMinutes(instant: Date, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(instant);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/** The instant a local day starts (00:00) in `tz`; correct on days a daylight-saving change happens. */
export function startOfLocalDay(day: string, tz: string): Date {
  const [y, m, d] = dayParts(day);
  const guess = Date.UTC(y, m - 1, d);
  // Two passes settle the offset even when midnight itself is near a transition.
  let instant = guess - zoneOffsetMinutes(new Date(guess), tz) * 60_000;
  instant = guess - zoneOffsetMinutes(new Date(instant), tz) * 60_000;
  return new Date(instant);
}

/** The period of `kind` that holds `day`: [first day, last day], inclusive. */
export function periodOf(day: string, kind: SchedulePeriod): { from: string; to: string } {
  const [y, m, d] = dayParts(day);
  if (kind === 'day') return { from: day, to: day };
  if (kind === 'week') {
    const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7; // Monday 0 .. Sunday 6
    const monday = addDays(day, -weekday);
    return { from: monday, to: addDays(monday, 6) };
  }
  return { from: ymd(new Date(Date.UTC(y, m - 1, 1))), to: ymd(new Date(Date.UTC(y, m, 0))) };
}

/** The window a firing at `nominal` covers: the period holding the day before its local date. */
export function windowFor(s: Schedule, nominal: Date): { from: string; to: string } {
  return periodOf(addDays(localDate(nominal, s.timezone), -1), schedulePeriod(s));
}

/** When the run for `window` may start: the period's end in the zone plus the settle delay. */
export function readyAt(s: Schedule, window: { from: string; to: string }): Date {
  return new Date(startOfLocalDay(addDays(window.to, 1), s.timezone).getTime() + settleDelayMs(s));
}

/** `instant` as ISO 8601 with the zone's offset: '2026-11-23T08:00:00+01:00'. */
export function isoWithOffset(instant: Date, tz: string): string {
  const offset = zoneOffsetMinutes(instant, tz);
  const local = new Date(instant.getTime() + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Every whole period of the schedule inside [from, to] (dates inclusive): what a backfill runs. */
export function periodsWithin(s: Schedule, range: { from: string; to: string }): { from: string; to: string }[] {
  const kind = schedulePeriod(s);
  const out: { from: string; to: string }[] = [];
  let p = periodOf(range.from, kind);
  if (p.from < range.from) p = periodOf(addDays(p.to, 1), kind);
  while (p.to <= range.to) {
    out.push(p);
    p = periodOf(addDays(p.to, 1), kind);
  }
  return out;
}

/** The UTC instants bounding a window of local days in `tz`: [start of `from`, start of the day after `to`). */
export function zonedBounds(window: { from: string; to: string }, tz: string): { start: Date; end: Date } {
  return { start: startOfLocalDay(window.from, tz), end: startOfLocalDay(addDays(window.to, 1), tz) };
}
