/**
 * Delivery keys. The unit of delivery is (export, window, partition, destination); its key is a SHA-256 of
 * those and of the delivery spec version. Every retry of the unit computes the same key, and destinations
 * derive object names, job ids and message ids from it, which is what makes re-delivery harmless. Bump
 * DELIVERY_SPEC_VERSION when the bytes a unit produces change meaning, so old keys are not reused.
 * One-off runs have no export; the run id stands in for it.
 */
import { createHash } from 'node:crypto';

export const DELIVERY_SPEC_VERSION = 1;

export interface DeliveryUnit {
  exportId: string | null;
  runId: string;
  window: { from: string; to: string };
  partitionKey: string;
  destinationId: string;
}

export function deliveryKey(unit: DeliveryUnit): string {
  const identity = [
    `v${DELIVERY_SPEC_VERSION}`,
    unit.exportId ?? `run:${unit.runId}`,
    unit.window.from,
    unit.window.to,
    unit.partitionKey,
    unit.destinationId,
  ].join('\n');
  return createHash('sha256').update(identity).digest('hex');
}
