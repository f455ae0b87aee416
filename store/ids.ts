import { randomBytes } from 'node:crypto';

export const ID_PREFIX = {
  tenant: 'ten',
  apiKey: 'key',
  destination: 'dst',
  export: 'exp',
  run: 'run',
  artifact: 'art',
} as const;
export type IdKind = keyof typeof ID_PREFIX;

/** Prefixed random ids (`run_3f9a...`): the prefix tells a person what an id names in a log line. */
export function newId(kind: IdKind): string {
  return `${ID_PREFIX[kind]}_${randomBytes(10).toString('hex')}`;
}
