/** Retrying cannot help (validation, HubSpot 4xx other than 429): dead-letter with the reason. */
export class PermanentError extends Error {
  readonly permanent = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** Retrying can help (429, 5xx, timeouts); `retryAfterMs` is honoured when the cause gave one. */
export class TransientError extends Error {
  readonly permanent = false;
  constructor(message: string, readonly retryAfterMs?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

export const isPermanent = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { permanent?: unknown }).permanent === true;

export const retryAfterOf = (err: unknown): number | undefined =>
  err instanceof TransientError ? err.retryAfterMs : undefined;
