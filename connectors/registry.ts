/**
 * Destination connectors by type. Vendor SDKs are heavy, so each connector module is imported only when a
 * destination of its type is first used.
 */
import type { DestinationConnector, DestinationDeps } from './types.js';
import { filesystemConfigSchema } from './destinations/filesystem/config.js';
import { S3_SECRET_FIELDS, s3ConfigSchema } from './destinations/s3/config.js';
import { EMAIL_SECRET_FIELDS, emailConfigSchema } from './destinations/email/config.js';

/** Config schemas are light and needed by the API to validate input, so they load eagerly. */
export const DESTINATION_CONFIG_SCHEMAS = {
  filesystem: filesystemConfigSchema,
  s3: s3ConfigSchema,
  email: emailConfigSchema,
} as const;

/** Config fields that are secrets, per type: sealed at rest, never returned or logged. */
export const DESTINATION_SECRET_FIELDS: Record<string, readonly string[]> = {
  filesystem: [],
  s3: S3_SECRET_FIELDS,
  email: EMAIL_SECRET_FIELDS,
};

export type BoundDestination =
  | { connector: DestinationConnector; config: Record<string, unknown>; problem: null }
  | { connector: DestinationConnector; config: null; problem: string };

export type DestinationFactory = (deps: DestinationDeps) => Promise<DestinationConnector>;

const FACTORIES: Record<string, DestinationFactory> = {
  filesystem: async (deps) => (await import('./destinations/filesystem/index.js')).createFilesystemDestination(deps),
  s3: async (deps) => (await import('./destinations/s3/index.js')).createS3Destination(deps),
  email: async (deps) => (await import('./destinations/email/index.js')).createEmailDestination(deps),
};

export const DESTINATION_TYPES = Object.keys(FACTORIES);

export class DestinationRegistry {
  private readonly loaded = new Map<string, Promise<DestinationConnector>>();
  private readonly factories: Record<string, DestinationFactory>;

  /** `extra` adds connectors by type: the test suite's fake destination with failure knobs. */
  constructor(
    private readonly deps: DestinationDeps,
    extra: Record<string, DestinationFactory> = {},
  ) {
    this.factories = { ...FACTORIES, ...extra };
  }

  /**
   * A stored destination's connector with its configuration (secrets opened) checked against the
   * connector's schema: the config to use, or what is wrong with it, said once for every caller.
   */
  async bind(found: { destination: { type: string }; config: Record<string, unknown> }): Promise<BoundDestination> {
    const connector = await this.get(found.destination.type);
    const parsed = connector.configSchema.safeParse(found.config);
    if (parsed.success) return { connector, config: parsed.data, problem: null };
    return { connector, config: null, problem: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  }

  get(type: string): Promise<DestinationConnector> {
    const factory = this.factories[type];
    if (!factory) return Promise.reject(new Error(`unknown destination type '${type}'`));
    let connector = this.loaded.get(type);
    if (!connector) {
      connector = factory(this.deps);
      this.loaded.set(type, connector);
    }
    return connector;
  }
}
