import type { z } from 'zod';

/** "event 3: portalId: expected number" — names the item and the field, for 4xx answers. */
export function describeZodError(error: z.ZodError, itemName = 'item'): string {
  return error.issues.slice(0, 5).map((issue) => {
    const [first, ...rest] = issue.path;
    const where = typeof first === 'number'
      ? `${itemName} ${first}${rest.length ? `: ${rest.join('.')}` : ''}`
      : issue.path.join('.');
    return where ? `${where}: ${issue.message}` : issue.message;
  }).join('; ');
}
