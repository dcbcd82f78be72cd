/**
 * Every user-facing text, in the languages of the original articles. Cards, pages and emails
 * read from here; a missing key fails the catalogue test, never a customer.
 */
export const languages = ['en', 'de', 'it', 'es'] as const;
export type Language = (typeof languages)[number];

const en = {
  'app.name': 'Portal Autopilot',
  'status.title': 'Portal Autopilot',
  'status.loading': 'Loading the Portal Autopilot status…',
  'status.error': 'The Portal Autopilot status could not be loaded: {reason}',
  'status.retry': 'Try again',
  'status.connected': 'Connected to account {portalId}',
  'status.notInstalled': 'Portal Autopilot is not set up for this account yet. An admin can finish the setup on the app’s settings page.',
  'status.queue': '{waiting} events waiting, {deadLetters} failed',
  'status.empty': 'Nothing has happened for this contact yet.',
  'settings.title': 'Portal Autopilot settings',
  'settings.language': 'Default email language',
  'settings.internalDomains': 'Internal domains (one per line)',
  'settings.save': 'Save',
  'settings.saved': 'Settings saved (version {version}).',
  'settings.conflict': 'Someone else changed the settings meanwhile. Reload to see their version.',
  'settings.provisioning': 'Setup in your HubSpot account',
  'settings.provisioning.ok': 'Done',
  'settings.provisioning.failed': 'Failed: {reason}',
  'oauth.installed': 'Portal Autopilot is installed in account {portalId}. You can close this window.',
  'oauth.failed': 'The installation did not finish: {reason}',
  'error.badRequest': 'The request is not valid: {reason}',
} as const;

export type MessageKey = keyof typeof en;
type Catalogue = Record<MessageKey, string>;

const de: Catalogue = {
  'app.name': 'Portal Autopilot',
  'status.title': 'Portal Autopilot',
  'status.loading': 'Der Status von Portal Autopilot wird geladen …',
  'status.error': 'Der Status von Portal Autopilot konnte nicht geladen werden: {reason}',
  'status.retry': 'Erneut versuchen',
  'status.connected': 'Mit Account {portalId} verbunden',
  'status.notInstalled': 'Portal Autopilot ist für diesen Account noch nicht eingerichtet. Ein Admin kann die Einrichtung auf der Einstellungsseite der App abschließen.',
  'status.queue': '{waiting} Ereignisse warten, {deadLetters} fehlgeschlagen',
  'status.empty': 'Für diesen Kontakt ist noch nichts passiert.',
  'settings.title': 'Einstellungen von Portal Autopilot',
  'settings.language': 'Standardsprache für E-Mails',
  'settings.internalDomains': 'Interne Domains (eine pro Zeile)',
  'settings.save': 'Speichern',
  'settings.saved': 'Einstellungen gespeichert (Version {version}).',
  'settings.conflict': 'Jemand anderes hat die Einstellungen inzwischen geändert. Laden Sie neu, um dessen Version zu sehen.',
  'settings.provisioning': 'Einrichtung in Ihrem HubSpot-Account',
  'settings.provisioning.ok': 'Erledigt',
  'settings.provisioning.failed': 'Fehlgeschlagen: {reason}',
  'oauth.installed': 'Portal Autopilot ist in Account {portalId} installiert. Sie können dieses Fenster schließen.',
  'oauth.failed': 'Die Installation wurde nicht abgeschlossen: {reason}',
  'error.badRequest': 'Die Anfrage ist ungültig: {reason}',
};

const it: Catalogue = {
  'app.name': 'Portal Autopilot',
  'status.title': 'Portal Autopilot',
  'status.loading': 'Caricamento dello stato di Portal Autopilot…',
  'status.error': 'Impossibile caricare lo stato di Portal Autopilot: {reason}',
  'status.retry': 'Riprova',
  'status.connected': 'Collegato all’account {portalId}',
  'status.notInstalled': 'Portal Autopilot non è ancora configurato per questo account. Un amministratore può completare la configurazione nella pagina delle impostazioni dell’app.',
  'status.queue': '{waiting} eventi in attesa, {deadLetters} non riusciti',
  'status.empty': 'Per questo contatto non è ancora successo nulla.',
  'settings.title': 'Impostazioni di Portal Autopilot',
  'settings.language': 'Lingua predefinita delle email',
  'settings.internalDomains': 'Domini interni (uno per riga)',
  'settings.save': 'Salva',
  'settings.saved': 'Impostazioni salvate (versione {version}).',
  'settings.conflict': 'Nel frattempo qualcun altro ha modificato le impostazioni. Ricarica per vedere la sua versione.',
  'settings.provisioning': 'Configurazione nel tuo account HubSpot',
  'settings.provisioning.ok': 'Fatto',
  'settings.provisioning.failed': 'Non riuscito: {reason}',
  'oauth.installed': 'Portal Autopilot è installato nell’account {portalId}. Puoi chiudere questa finestra.',
  'oauth.failed': 'L’installazione non è stata completata: {reason}',
  'error.badRequest': 'La richiesta non è valida: {reason}',
};

const es: Catalogue = {
  'app.name': 'Portal Autopilot',
  'status.title': 'Portal Autopilot',
  'status.loading': 'Cargando el estado de Portal Autopilot…',
  'status.error': 'No se pudo cargar el estado de Portal Autopilot: {reason}',
  'status.retry': 'Reintentar',
  'status.connected': 'Conectado a la cuenta {portalId}',
  'status.notInstalled': 'Portal Autopilot todavía no está configurado para esta cuenta. Un administrador puede terminar la configuración en la página de ajustes de la aplicación.',
  'status.queue': '{waiting} eventos en espera, {deadLetters} fallidos',
  'status.empty': 'Todavía no ha pasado nada con este contacto.',
  'settings.title': 'Ajustes de Portal Autopilot',
  'settings.language': 'Idioma predeterminado de los correos',
  'settings.internalDomains': 'Dominios internos (uno por línea)',
  'settings.save': 'Guardar',
  'settings.saved': 'Ajustes guardados (versión {version}).',
  'settings.conflict': 'Otra persona ha cambiado los ajustes mientras tanto. Recarga para ver su versión.',
  'settings.provisioning': 'Configuración en tu cuenta de HubSpot',
  'settings.provisioning.ok': 'Hecho',
  'settings.provisioning.failed': 'Error: {reason}',
  'oauth.installed': 'Portal Autopilot está instalado en la cuenta {portalId}. Puedes cerrar esta ventana.',
  'oauth.failed': 'La instalación no ha terminado: {reason}',
  'error.badRequest': 'La solicitud no es válida: {reason}',
};

export const catalogues: Record<Language, Catalogue> = { en, de, it, es };

/** "de-DE" → "de"; anything we do not speak → English. */
export function pickLanguage(locale: string | null | undefined): Language {
  const base = (locale ?? '').toLowerCase().split(/[-_]/)[0];
  return (languages as readonly string[]).includes(base ?? '') ? (base as Language) : 'en';
}

export function t(language: Language, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return catalogues[language][key].replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}
