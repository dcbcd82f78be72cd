import type { SnippetDef } from '../email/snippets.js';

/**
 * The portal credentials snippets, with the names the Italian and Spanish articles use (the German
 * article keeps the English ones). Values come from the portal capability at send time (`extra`),
 * never from a queue payload: the password part is a one-time set-password link.
 */
export const portalSnippets: SnippetDef[] = [
  { name: 'Portal Address', aliases: { de: 'Portal-Adresse', it: 'Indirizzo del Portale', es: 'Dirección del Portal' }, resolve: (_i, extra) => extra['Portal Address'] },
  { name: 'Portal Username', aliases: { de: 'Portal-Benutzername', it: 'Nome Utente del Portale', es: 'Nombre de Usuario del Portal' }, resolve: (_i, extra) => extra['Portal Username'] },
  { name: 'Portal Password', aliases: { de: 'Portal-Passwort', it: 'Password del Portale', es: 'Contraseña del Portal' }, secret: true, resolve: (_i, extra) => extra['Portal Password'] },
  // The one-time code of the sign-in code email: a secret, like the password link.
  { name: 'Portal Sign-in Code', aliases: { de: 'Portal-Anmeldecode', it: 'Codice di Accesso del Portale', es: 'Código de Acceso del Portal' }, secret: true, resolve: (_i, extra) => extra['Portal Sign-in Code'] },
];
