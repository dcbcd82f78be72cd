import { extensionsApi, type ExtensionsDeps } from '../../src/server/routes/extensions-api.js';

/** Every route of the card API, read from the router itself, so a new route is checked too. */
export function extensionRoutes(): { method: string; path: string }[] {
  const router = extensionsApi({} as ExtensionsDeps) as unknown as { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  return router.stack.filter((l) => l.route).flatMap((l) => Object.keys(l.route!.methods).map((m) => ({ method: m.toUpperCase(), path: l.route!.path })));
}
