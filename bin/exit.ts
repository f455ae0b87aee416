/** CLI errors: one line on stderr, non-zero exit. */
export function exitWithError(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`sluice: ${message.split('\n')[0]}\n`);
  process.exit(1);
}
