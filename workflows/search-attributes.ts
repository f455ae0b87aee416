/** Typed keys of Sluice's search attributes (temporal.config.ts names them); usable in workflows and clients. */
import { defineSearchAttributeKey } from '@temporalio/common';
import { ALL_TENANTS, SEARCH_ATTRIBUTES } from '../temporal.config.js';

export const SEARCH_KEYS = {
  tenant: defineSearchAttributeKey(SEARCH_ATTRIBUTES.tenant.name, 'KEYWORD'),
  dataset: defineSearchAttributeKey(SEARCH_ATTRIBUTES.dataset.name, 'KEYWORD'),
  run: defineSearchAttributeKey(SEARCH_ATTRIBUTES.run.name, 'KEYWORD'),
  destinationTypes: defineSearchAttributeKey(SEARCH_ATTRIBUTES.destinationTypes.name, 'KEYWORD_LIST'),
};

/** What operators filter an export run by in the Temporal UI. */
export function runSearchAttributes(run: { runId: string; tenantId: string | null; dataset: string; destinationTypes: string[] }) {
  return [
    { key: SEARCH_KEYS.tenant, value: run.tenantId ?? ALL_TENANTS },
    { key: SEARCH_KEYS.dataset, value: run.dataset },
    { key: SEARCH_KEYS.run, value: run.runId },
    { key: SEARCH_KEYS.destinationTypes, value: [...new Set(run.destinationTypes)] },
  ];
}
