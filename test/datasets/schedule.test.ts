import { describe, expect, it } from 'vitest';
import {
  isoWithOffset,
  periodsWithin,
  readyAt,
  scheduleSchema,
  startOfLocalDay,
  temporalCalendar,
  windowFor,
  zonedBounds,
} from '../../datasets/schedule.js';

const weeklyBerlin = scheduleSchema.parse({ preset: 'weekly', timezone: 'Europe/Berlin' });
const monthlyBerlin = scheduleSchema.parse({ preset: 'monthly', timezone: 'Europe/Berlin', publishTime: '06:30' });
const dailyNY = scheduleSchema.parse({ preset: 'daily', timezone: 'America/New_York', settleDelay: '2h' });

describe('schedule windows', () => {
  it('weekly: Monday 08:00 Berlin covers the prior Monday to Sunday, across the October DST change', () => {
    // 2026-10-25 03:00 CEST -> 02:00 CET. Monday 2026-10-26 08:00 CET = 07:00 UTC.
    expect(windowFor(weeklyBerlin, new Date('2026-10-26T07:00:00Z'))).toEqual({ from: '2026-10-19', to: '2026-10-25' });
    // The week holding the change is 169 hours long, measured in the zone.
    const b = zonedBounds({ from: '2026-10-19', to: '2026-10-25' }, 'Europe/Berlin');
    expect(b.start.toISOString()).toBe('2026-10-18T22:00:00.000Z');
    expect(b.end.toISOString()).toBe('2026-10-25T23:00:00.000Z');
    expect((b.end.getTime() - b.start.getTime()) / 3_600_000).toBe(169);
    // Spring: 2026-03-29 02:00 CET -> 03:00 CEST; that week is 167 hours.
    const spring = zonedBounds(windowFor(weeklyBerlin, new Date('2026-03-30T06:00:00Z')), 'Europe/Berlin');
    expect((spring.end.getTime() - spring.start.getTime()) / 3_600_000).toBe(167);
  });

  it('monthly: the 1st covers the prior calendar month, February of leap years included', () => {
    expect(windowFor(monthlyBerlin, new Date('2024-03-01T05:30:00Z'))).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(windowFor(monthlyBerlin, new Date('2026-03-01T05:30:00Z'))).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(windowFor(monthlyBerlin, new Date('2028-03-01T05:30:00Z'))).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(windowFor(monthlyBerlin, new Date('2027-01-01T05:30:00Z'))).toEqual({ from: '2026-12-01', to: '2026-12-31' });
  });

  it('uses the local date of the nominal time, not the UTC one', () => {
    // 2026-11-23 00:30 in Berlin is still 2026-11-22 in UTC.
    expect(windowFor(scheduleSchema.parse({ preset: 'daily', timezone: 'Europe/Berlin', publishTime: '00:30' }), new Date('2026-11-22T23:30:00Z'))).toEqual({
      from: '2026-11-22',
      to: '2026-11-22',
    });
  });

  it('daily with a settle delay is ready two hours after local midnight', () => {
    expect(readyAt(dailyNY, { from: '2026-11-21', to: '2026-11-21' }).toISOString()).toBe('2026-11-22T07:00:00.000Z');
  });

  it('cron schedules cover the period before the firing day', () => {
    const s = scheduleSchema.parse({ cron: '0 6 * * 1-5', period: 'day', timezone: 'UTC' });
    expect(windowFor(s, new Date('2026-11-23T06:00:00Z'))).toEqual({ from: '2026-11-22', to: '2026-11-22' });
    expect(temporalCalendar(s)).toEqual({ cronExpressions: ['0 6 * * 1-5'], timezone: 'UTC' });
  });

  it('backfill periods: only whole periods inside the range', () => {
    expect(periodsWithin(monthlyBerlin, { from: '2026-05-01', to: '2026-07-31' })).toEqual([
      { from: '2026-05-01', to: '2026-05-31' },
      { from: '2026-06-01', to: '2026-06-30' },
      { from: '2026-07-01', to: '2026-07-31' },
    ]);
    expect(periodsWithin(weeklyBerlin, { from: '2026-11-04', to: '2026-11-22' })).toEqual([
      { from: '2026-11-09', to: '2026-11-15' },
      { from: '2026-11-16', to: '2026-11-22' },
    ]);
  });

  it('formats instants with the zone offset and finds local midnights on DST days', () => {
    expect(isoWithOffset(new Date('2026-11-23T07:00:00Z'), 'Europe/Berlin')).toBe('2026-11-23T08:00:00+01:00');
    expect(isoWithOffset(new Date('2026-07-06T06:00:00Z'), 'Europe/Berlin')).toBe('2026-07-06T08:00:00+02:00');
    expect(isoWithOffset(new Date('2026-11-23T13:00:00Z'), 'America/New_York')).toBe('2026-11-23T08:00:00-05:00');
    expect(startOfLocalDay('2026-03-29', 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfLocalDay('2026-03-30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
  });

  it('refuses bad schedules with the field at fault', () => {
    const bad = (x: unknown) => scheduleSchema.safeParse(x).error?.issues.map((i) => i.path.join('.'));
    expect(bad({ preset: 'weekly', timezone: 'Mars/Olympus' })).toEqual(['timezone']);
    expect(bad({ preset: 'weekly', cron: '0 8 * * 1' })).toEqual(['preset']);
    expect(bad({})).toEqual(['preset']);
    expect(bad({ preset: 'daily', publishTime: '25:00' })).toEqual(['publishTime']);
    expect(bad({ cron: 'every day' })).toEqual(['cron']);
  });
});
