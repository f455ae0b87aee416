import { describe, expect, it } from 'vitest';
import { PATH_PRESETS, checkPathTemplate, fileExtension, pathTokenValues, renderPathTemplate } from '../../datasets/path-template.js';
import { partitionsOf } from '../../datasets/partitions.js';

const values = (over: Partial<Parameters<typeof pathTokenValues>[0]> = {}) =>
  pathTokenValues({
    dataset: 'consent_interactions',
    aggregation: 'interaction',
    period: { from: '2022-04-04', to: '2022-04-10' },
    partitionKey: 'window',
    partitionIndex: 0,
    requestedAt: '2019-03-18T10:15:42.123Z',
    firstEventTime: '2019-03-18T09:59:58Z',
    runId: 'run_1',
    uniqueId: '0123456789abcdef',
    extension: 'jsonl.gz',
    ...over,
  });

describe('path templates', () => {
  it('renders the seed 002 names: daily, weekly and monthly periods', () => {
    const t = PATH_PRESETS['consent-periods'];
    expect(renderPathTemplate(t, values({ extension: 'csv' }))).toBe('interaction-2022-04-04-2022-04-10.csv');
    expect(renderPathTemplate(t, values({ period: { from: '2022-04-04', to: '2022-04-04' }, extension: 'csv' }))).toBe('interaction-2022-04-04.csv');
    expect(renderPathTemplate(t, values({ period: { from: '2022-02-01', to: '2022-02-28' }, extension: 'csv' }))).toBe('interaction-2022-02-01-2022-02-28.csv');
  });

  it('renders the seed 003 layout: date folders, time, first event, unique id', () => {
    expect(renderPathTemplate(PATH_PRESETS['podcast-events'], values())).toBe(
      '2019/2019-03/2019-03-18/2019-03-18T1015_20190318T095958Z_0123456789abcdef.jsonl.gz',
    );
  });

  it('refuses templates that could leave the destination or use unknown tokens', () => {
    expect(checkPathTemplate('../x/{dataset}')).toMatch(/'\.\.'/);
    expect(checkPathTemplate('/abs/{dataset}')).toMatch(/relative/);
    expect(checkPathTemplate('a//b')).toMatch(/empty/);
    expect(checkPathTemplate('{dataset}/{nope}.csv')).toMatch(/unknown token \{nope\}/);
    expect(checkPathTemplate('{dataset/x')).toMatch(/unmatched/);
    expect(checkPathTemplate(PATH_PRESETS.default)).toBeUndefined();
  });

  it('names extensions by format and compression', () => {
    expect(fileExtension('csv', 'gzip')).toBe('csv.gz');
    expect(fileExtension('jsonl', 'zstd')).toBe('jsonl.zst');
    expect(fileExtension('parquet', 'gzip')).toBe('parquet');
  });
});

describe('partitions', () => {
  it('splits a window into UTC days and clipped calendar months', () => {
    expect(partitionsOf({ from: '2024-02-28', to: '2024-03-01' }, 'day').map((p) => p.key)).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
    expect(partitionsOf({ from: '2024-01-15', to: '2024-03-10' }, 'month')).toEqual([
      { key: '2024-01', period: { from: '2024-01-15', to: '2024-01-31' } },
      { key: '2024-02', period: { from: '2024-02-01', to: '2024-02-29' } },
      { key: '2024-03', period: { from: '2024-03-01', to: '2024-03-10' } },
    ]);
    expect(partitionsOf({ from: '2024-01-15', to: '2024-03-10' }, 'none')).toEqual([{ key: 'window', period: { from: '2024-01-15', to: '2024-03-10' } }]);
  });
});
