import type { NextFunction, Request, Response } from 'express';
import type { SettingsRepository } from '../../settings/settings-repository.js';
import { caps, keys } from '../../store/keys.js';
import type { Store } from '../../store/store.js';
import type { CardCaller } from './verify-extension-request.js';

export interface AdminDeps { store: Store; settings: SettingsRepository; operatorAdmins: readonly number[] }

export interface AdminAuditEntry { at: string; userId: number | null; userEmail: string | null; action: string; status: number }

/**
 * Who is an admin of the app in an account: the HubSpot user who installed it (OAuth installs,
 * from HubSpot's access-token info), the users an admin lists in the settings, and the operator's
 * HUBSPOT_ADMIN_USER_IDS (a private app has no installer). HubSpot's own super-admin flag is not
 * used: the users endpoint that carries it is not among the API specs this app is checked against.
 */
export async function isAdmin(d: AdminDeps, portalId: number, userId: number | null): Promise<boolean> {
  if (userId === null) return false;
  if (d.operatorAdmins.includes(userId)) return true;
  const installer = await d.store.get(keys.installer(portalId));
  if (installer && (JSON.parse(installer) as { userId: number }).userId === userId) return true;
  return (await d.settings.read(portalId)).settings.access.adminUserIds.includes(userId);
}

/** Admin actions: 403 with a message for everyone else; every admin change is recorded (who, when, what). */
export function requireAdmin(d: AdminDeps) {
  // Named, so the route table can be read for which routes are admin-only (the roles test does).
  return async function adminOnly(req: Request, res: Response, next: NextFunction) {
    const caller = res.locals.caller as CardCaller;
    if (!(await isAdmin(d, caller.portalId, caller.userId))) {
      return void res.status(403).json({ message: 'only an admin of Portal Autopilot in this account can do this: the user who installed it, or one listed in its settings' });
    }
    res.on('finish', () => {
      const entry: AdminAuditEntry = { at: new Date().toISOString(), userId: caller.userId, userEmail: caller.userEmail, action: `${req.method} ${req.path}`, status: res.statusCode };
      void d.store.pushCapped(keys.adminAudit(caller.portalId), JSON.stringify(entry), caps.adminAudit).catch(() => undefined);
    });
    next();
  };
}

export async function adminAudit(store: Store, portalId: number): Promise<AdminAuditEntry[]> {
  return (await store.range(keys.adminAudit(portalId), 0, 99)).map((r) => JSON.parse(r) as AdminAuditEntry);
}
