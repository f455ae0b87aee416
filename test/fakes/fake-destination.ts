/**
 * A destination with failure knobs, for orchestration tests: fail the first N attempts of each delivery
 * key with a chosen error kind, or report a different row count than it was given. It "stores" a delivery
 * by hashing the staged file, so its receipt is as honest as a real connector's.
 */
import { z } from 'zod';
import { ConnectorError } from '../../connectors/errors.js';
import type { DestinationConnector } from '../../connectors/types.js';
import { sha256File } from '../../platform/files.js';

export const fakeConfigSchema = z
  .object({
    failFirst: z.number().int().min(0).default(0),
    failKind: z.enum(['config', 'permanent', 'transient', 'rate_limited']).default('transient'),
    rowDelta: z.number().int().default(0),
  })
  .strict();

/** Attempts seen per delivery key, and the deliveries that succeeded. */
export const fakeState = { attempts: new Map<string, number>(), delivered: new Map<string, string>() };

export function createFakeDestination(): DestinationConnector<z.infer<typeof fakeConfigSchema>> {
  return {
    type: 'fake',
    configSchema: fakeConfigSchema,
    secretFields: [],
    capabilities: { formats: ['csv', 'json', 'jsonl', 'parquet'], loads: 'files', maxFileBytes: null, manifests: false },
    check: () => Promise.resolve({ ok: true, message: 'fake' }),
    async deliver(config, request) {
      const attempt = (fakeState.attempts.get(request.deliveryKey) ?? 0) + 1;
      fakeState.attempts.set(request.deliveryKey, attempt);
      if (attempt <= config.failFirst) {
        throw new ConnectorError(config.failKind, `fake ${config.failKind} failure on attempt ${attempt}`);
      }
      const sha256 = await sha256File(request.file.path);
      fakeState.delivered.set(request.deliveryKey, sha256);
      return {
        location: `fake://${request.objectKey}`,
        objectKey: request.objectKey,
        rows: request.file.rows + config.rowDelta,
        bytes: request.file.bytes,
        sha256,
        alreadyDelivered: false,
      };
    },
  };
}
