/**
 * `work`, or `onLate()`'s error once `ms` have passed without an answer. The work itself is not
 * stopped (a promise cannot be): the caller must be safe to run it again, as every job handler is.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onLate: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(onLate()), ms); });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
