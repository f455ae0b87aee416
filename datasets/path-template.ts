/**
 * Object keys from path templates. A template is a relative path with `{token}`s; the rendered key must stay
 * inside the destination root, so templates with absolute paths, `..` segments, backslashes or unknown tokens
 * are refused when the export is created, not when it runs. Presets ship the naming schemes of seed 002
 * (`interaction-2022-04-04-2022-04-10.csv`) and seed 003 (`2019/2019-03/2019-03-18/...jsonl.gz`).
 */

export const PATH_TOKENS = {
  dataset: 'dataset id',
  aggregation: "the dataset's aggregation name (seed 002), e.g. interaction",
  period: 'the period: YYYY-MM-DD for one day, otherwise YYYY-MM-DD-YYYY-MM-DD',
  period_start: 'first day of the file (YYYY-MM-DD)',
  period_end: 'last day of the file (YYYY-MM-DD)',
  partition: 'partition key: window, YYYY-MM-DD or YYYY-MM',
  year: 'year the run was requested (UTC)',
  month: 'month the run was requested (01-12)',
  day: 'day the run was requested (01-31)',
  hour: 'hour the run was requested (00-23)',
  minute: 'minute the run was requested (00-59)',
  first_event_time: 'time of the first event in the file, YYYYMMDDTHHMMSSZ (or "empty")',
  run_id: 'the run id',
  part: 'the partition number, 0001-based',
  unique_id: 'a 16-hex id, stable for the export, window and partition (re-delivery keeps the name)',
  ext: 'file extension with compression: csv, csv.gz, json, jsonl.gz, parquet...',
} as const;
export type PathToken = keyof typeof PATH_TOKENS;

export const PATH_PRESETS = {
  /** Deterministic for a saved export and window: running the window again rewrites the same keys. */
  default: '{dataset}/{dataset}_{period_start}_{period_end}_{unique_id}.{ext}',
  /** Seed 002: `{agg}-YYYY-MM-DD` daily, `{agg}-YYYY-MM-DD-YYYY-MM-DD` weekly and monthly. */
  'consent-periods': '{aggregation}-{period}.{ext}',
  /** Seed 003: date folders, then `{date}T{hour}{minute}_{first event}_{unique id}.jsonl.gz`. */
  'podcast-events': '{year}/{year}-{month}/{year}-{month}-{day}/{year}-{month}-{day}T{hour}{minute}_{first_event_time}_{unique_id}.{ext}',
} as const;
export type PathPreset = keyof typeof PATH_PRESETS;

const TOKEN = /\{([a-z_]+)\}/g;

/** Resolves a preset name or returns the template itself. */
export function resolvePathTemplate(templateOrPreset: string): string {
  return (PATH_PRESETS as Record<string, string>)[templateOrPreset] ?? templateOrPreset;
}

/** Why a template is unusable, or undefined when it is fine. */
export function checkPathTemplate(template: string): string | undefined {
  if (template.length === 0 || template.length > 500) return 'must be 1 to 500 characters';
  if (template.startsWith('/')) return 'must be relative (no leading /)';
  if (template.includes('\\') || template.includes('\0')) return 'may not contain backslashes or NUL characters';
  if (template.split('/').some((s) => s === '..' || s === '.' || s === '')) return "may not contain '..', '.' or empty path segments";
  const unknown = [...template.matchAll(TOKEN)].map((m) => m[1]!).filter((t) => !(t in PATH_TOKENS));
  if (unknown.length > 0) return `unknown token {${unknown[0]}}; known tokens: ${Object.keys(PATH_TOKENS).map((t) => `{${t}}`).join(', ')}`;
  const stray = template.replace(TOKEN, '');
  if (/[{}]/.test(stray)) return 'has an unmatched { or }';
  return undefined;
}

export function renderPathTemplate(template: string, values: Record<PathToken, string>): string {
  const key = template.replace(TOKEN, (_, t: string) => values[t as PathToken]);
  // Values come from our own formatting, but keep the guarantee local: nothing may climb out.
  if (key.split('/').some((s) => s === '..' || s === '') || key.startsWith('/')) throw new Error(`rendered key '${key}' is not a safe relative path`);
  return key;
}

export function fileExtension(format: string, compression: string): string {
  if (format === 'parquet') return 'parquet';
  return compression === 'gzip' ? `${format}.gz` : compression === 'zstd' ? `${format}.zst` : format;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export interface PathValues {
  dataset: string;
  aggregation: string;
  period: { from: string; to: string };
  partitionKey: string;
  partitionIndex: number;
  requestedAt: string;
  firstEventTime: string | null;
  runId: string;
  uniqueId: string;
  extension: string;
}

export function pathTokenValues(v: PathValues): Record<PathToken, string> {
  const at = new Date(v.requestedAt);
  return {
    dataset: v.dataset,
    aggregation: v.aggregation,
    period: v.period.from === v.period.to ? v.period.from : `${v.period.from}-${v.period.to}`,
    period_start: v.period.from,
    period_end: v.period.to,
    partition: v.partitionKey,
    year: String(at.getUTCFullYear()),
    month: pad(at.getUTCMonth() + 1),
    day: pad(at.getUTCDate()),
    hour: pad(at.getUTCHours()),
    minute: pad(at.getUTCMinutes()),
    first_event_time: v.firstEventTime ? v.firstEventTime.replace(/[-:]/g, '').replace(/\.\d+/, '') : 'empty',
    run_id: v.runId,
    part: pad(v.partitionIndex + 1, 4),
    unique_id: v.uniqueId,
    ext: v.extension,
  };
}
