import type { z } from 'zod';

/** "content: content must not be empty; tags.0: ..." - names the field so a model can fix its call. */
export function formatZodError(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}
