import { z } from 'zod';

/** A path inside the Sluice files root: relative, no `..`, so no destination can write outside it. */
export const relativePath = z
  .string()
  .min(1)
  .max(300)
  .refine((p) => !p.startsWith('/') && !/^[a-zA-Z]:/.test(p), 'must be a relative path inside the files root')
  .refine((p) => !p.includes('\\') && !p.includes('\0'), 'may not contain backslashes or NUL characters')
  .refine((p) => p.split('/').every((seg) => seg !== '..'), "may not contain '..' segments");

export const filesystemConfigSchema = z
  .object({
    path: relativePath.describe('Directory under the Sluice files root (SLUICE_FILES_ROOT) that receives the files.'),
  })
  .strict();

export type FilesystemConfig = z.infer<typeof filesystemConfigSchema>;
