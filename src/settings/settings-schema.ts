import { z } from 'zod';
import { languages } from '../i18n/messages.js';

const domain = z.string().trim().toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'is not a domain name (expected e.g. example.com)');

/** Account settings; later capabilities add their sections here. Versioned by the repository. */
export const settingsSchema = z.strictObject({
  defaultLanguage: z.enum(languages, { error: `must be one of ${languages.join(', ')}` }).default('en'),
  internalDomains: z.array(domain).max(200).default([]),
});

export type Settings = z.infer<typeof settingsSchema>;

export const defaultSettings: Settings = settingsSchema.parse({});
