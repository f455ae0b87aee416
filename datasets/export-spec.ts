/**
 * Checks a requested export shape against its dataset and fills the defaults: the one place that knows
 * which combinations make sense (a dimension only for JSON, filters the dataset declares, a path template
 * that stays inside the destination).
 */
import type { DatasetDefinition } from './types.js';
import type { Compression, ExportSpec, Granularity, OutputFormat, Partitioning } from '../workflows/definitions.js';
import { checkPathTemplate, resolvePathTemplate } from './path-template.js';

export interface ExportSpecRequest {
  format: OutputFormat;
  compression?: Compression | undefined;
  granularity?: Granularity | undefined;
  dimension?: string | undefined;
  partitioning?: Partitioning | undefined;
  pathTemplate?: string | undefined;
  filters?: Record<string, string[]> | undefined;
}

export type SpecResult = { ok: true; spec: ExportSpec } | { ok: false; path: string; message: string };

export function resolveExportSpec(dataset: DatasetDefinition, req: ExportSpecRequest): SpecResult {
  if (req.dimension !== undefined) {
    if (req.format !== 'json') return { ok: false, path: 'dimension', message: "applies to format 'json' (the aggregated time series) only" };
    if (!dataset.dimensions.includes(req.dimension)) {
      return { ok: false, path: 'dimension', message: `'${req.dimension}' is not a dimension of ${dataset.id}; use one of: ${dataset.dimensions.join(', ') || '(none)'}` };
    }
  }
  if (req.granularity !== undefined && req.format !== 'json') return { ok: false, path: 'granularity', message: "applies to format 'json' only" };
  for (const name of Object.keys(req.filters ?? {})) {
    if (!dataset.filters.some((f) => f.name === name)) {
      return { ok: false, path: `filters.${name}`, message: `${dataset.id} has no filter '${name}'; its filters: ${dataset.filters.map((f) => f.name).join(', ') || '(none)'}` };
    }
  }
  const pathTemplate = resolvePathTemplate(req.pathTemplate ?? 'default');
  const problem = checkPathTemplate(pathTemplate);
  if (problem) return { ok: false, path: 'pathTemplate', message: problem };
  return {
    ok: true,
    spec: {
      format: req.format,
      compression: req.compression ?? 'none',
      granularity: req.granularity ?? 'day',
      dimension: req.dimension ?? null,
      partitioning: req.partitioning ?? 'none',
      pathTemplate,
      filters: req.filters ?? {},
    },
  };
}
