import { randomUUID } from 'node:crypto';
import type { Response } from 'express';

/** HubSpot's error body: { status, message, correlationId, category }. */
export function hsError(res: Response, status: number, category: string, message: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ status: 'error', message, correlationId: randomUUID(), category, ...extra });
}

export const notFound = (res: Response, what: string) => hsError(res, 404, 'OBJECT_NOT_FOUND', `${what} not found`);
export const badRequest = (res: Response, message: string) => hsError(res, 400, 'VALIDATION_ERROR', message);

/** HubSpot caps batch inputs at 100; a larger batch is refused whole. */
export function checkBatch(res: Response, inputs: unknown): inputs is unknown[] {
  if (!Array.isArray(inputs)) { badRequest(res, 'inputs must be an array'); return false; }
  if (inputs.length > 100) { badRequest(res, `Batch size ${inputs.length} exceeds the limit of 100 inputs`); return false; }
  return true;
}

export const batchEnvelope = (results: unknown[], startedAt: string) => ({
  status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString(),
});
