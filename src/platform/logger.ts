import { pino, type Logger } from 'pino';

// Anything that can carry a credential is cut from every log line, whatever logs it.
const REDACT = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-hubspot-signature-v3"]',
  'req.headers["x-hubspot-signature"]', '*.accessToken', '*.refreshToken', '*.access_token',
  '*.refresh_token', '*.clientSecret', '*.client_secret', '*.password', '*.code', 'accessToken',
  'refreshToken', 'password',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { app: 'portal-autopilot' } },
    destination as pino.DestinationStream | undefined);
}

export type { Logger };
