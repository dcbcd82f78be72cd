import type { Language } from '../i18n/messages.js';
import type { EmailTemplate } from './email-template.js';

type Body = Omit<EmailTemplate, 'name' | 'language' | 'html'> & { html?: string };

const html = (text: string) => text.split('\n\n').map((p) => `<p>${p.replace(/\n/g, '<br>')}</p>`).join('\n');

// Written for each language, not translated word for word; the snippet names are the ones the
// articles of that language use (German keeps the English portal snippets, as its article does).
const credentials: Record<Language, Body> = {
  en: {
    subject: 'Your access to our customer portal',
    text: 'Hello {[Contact First Name]},\n\nyou can now follow your requests in our customer portal.\n\nPortal: {[Portal Address]}\nUsername: {[Portal Username]}\nSet your password here (the link works once): {[Portal Password]}\n\nBest regards,\nYour support team',
  },
  de: {
    subject: 'Ihr Zugang zu unserem Kundenportal',
    text: 'Hallo {[Contact First Name]},\n\nab sofort können Sie Ihre Anfragen in unserem Kundenportal verfolgen.\n\nPortal: {[Portal Address]}\nBenutzername: {[Portal Username]}\nHier legen Sie Ihr Passwort fest (der Link gilt nur einmal): {[Portal Password]}\n\nViele Grüße\nIhr Support-Team',
  },
  it: {
    subject: 'Il tuo accesso al nostro portale clienti',
    text: 'Ciao {[Nome del Contatto]},\n\nda oggi puoi seguire le tue richieste nel nostro portale clienti.\n\nPortale: {[Indirizzo del Portale]}\nNome utente: {[Nome Utente del Portale]}\nImposta qui la tua password (il link vale una sola volta): {[Password del Portale]}\n\nUn cordiale saluto,\nil team di assistenza',
  },
  es: {
    subject: 'Tu acceso a nuestro portal de clientes',
    text: 'Hola, {[Nombre del Contacto]}:\n\nya puedes seguir tus solicitudes en nuestro portal de clientes.\n\nPortal: {[Dirección del Portal]}\nUsuario: {[Nombre de Usuario del Portal]}\nCrea tu contraseña aquí (el enlace solo funciona una vez): {[Contraseña del Portal]}\n\nUn saludo,\nel equipo de soporte',
  },
};

const issueReport: Record<Language, Body> = {
  en: {
    subject: 'New issue reported by {[Company Name]}: {[Ticket Title]}',
    text: 'Hello,\n\nyou are a support contact of {[Company Name]}. A new issue was reported:\n\n{[Ticket Title]} (ticket {[Ticket ID]}, priority {[Ticket Priority]})\n{[Ticket Excerpt]}\n\nThe ticket: {[Ticket Link]}\n\nWe will keep you informed.\nYour support team',
  },
  de: {
    subject: 'Neue Meldung von {[Unternehmensname]}: {[Ticket-Titel]}',
    text: 'Guten Tag,\n\nSie sind Support-Ansprechpartner von {[Unternehmensname]}. Es wurde ein neues Anliegen gemeldet:\n\n{[Ticket-Titel]} (Ticket {[Ticket-ID]}, Priorität {[Ticket-Priorität]})\n{[Ticket-Auszug]}\n\nDas Ticket: {[Ticket-Link]}\n\nWir halten Sie auf dem Laufenden.\nIhr Support-Team',
  },
  it: {
    subject: 'Nuova segnalazione di {[Nome dell’Azienda]}: {[Titolo del Ticket]}',
    text: 'Buongiorno,\n\nsei un referente dell’assistenza per {[Nome dell’Azienda]}. È stato segnalato un nuovo problema:\n\n{[Titolo del Ticket]} (ticket {[ID del Ticket]}, priorità {[Priorità del Ticket]})\n{[Estratto del Ticket]}\n\nIl ticket: {[Link del Ticket]}\n\nTi terremo aggiornato.\nIl team di assistenza',
  },
  es: {
    subject: 'Nueva incidencia de {[Nombre de la Empresa]}: {[Título del Ticket]}',
    text: 'Hola:\n\neres contacto de soporte de {[Nombre de la Empresa]}. Se ha comunicado una nueva incidencia:\n\n{[Título del Ticket]} (ticket {[ID del Ticket]}, prioridad {[Prioridad del Ticket]})\n{[Extracto del Ticket]}\n\nEl ticket: {[Enlace del Ticket]}\n\nTe mantendremos informado.\nEl equipo de soporte',
  },
};

const requestReceived: Record<Language, Body> = {
  en: { subject: 'We have received your request: {[Ticket Title]}', text: 'Hello {[Contact First Name]},\n\nthank you for your message. We have received your request "{[Ticket Title]}" (ticket {[Ticket ID]}) and will get back to you shortly.\n\nBest regards,\nYour support team' },
  de: { subject: 'Wir haben Ihre Anfrage erhalten: {[Ticket-Titel]}', text: 'Hallo {[Kontakt Vorname]},\n\nvielen Dank für Ihre Nachricht. Ihre Anfrage „{[Ticket-Titel]}“ (Ticket {[Ticket-ID]}) ist bei uns eingegangen; wir melden uns in Kürze.\n\nViele Grüße\nIhr Support-Team' },
  it: { subject: 'Abbiamo ricevuto la tua richiesta: {[Titolo del Ticket]}', text: 'Ciao {[Nome del Contatto]},\n\ngrazie per il tuo messaggio. Abbiamo ricevuto la tua richiesta "{[Titolo del Ticket]}" (ticket {[ID del Ticket]}) e ti risponderemo a breve.\n\nUn cordiale saluto,\nil team di assistenza' },
  es: { subject: 'Hemos recibido tu solicitud: {[Título del Ticket]}', text: 'Hola, {[Nombre del Contacto]}:\n\ngracias por tu mensaje. Hemos recibido tu solicitud «{[Título del Ticket]}» (ticket {[ID del Ticket]}) y te responderemos en breve.\n\nUn saludo,\nel equipo de soporte' },
};

// For a customer who has access already (forgot password, an agent's reset, a second request):
// not a welcome. The link is for a new password; the current one keeps working until it is used.
const reset: Record<Language, Body> = {
  en: {
    subject: 'Your access to our customer portal',
    text: 'Hello {[Contact First Name]},\n\nyou already have access to our customer portal.\n\nPortal: {[Portal Address]}\nUsername: {[Portal Username]}\n\nIf you forgot your password, choose a new one here (the link works once; your current password keeps working until you do): {[Portal Password]}\n\nIf you did not ask for this, you can ignore this email.\n\nBest regards,\nYour support team',
  },
  de: {
    subject: 'Ihr Zugang zu unserem Kundenportal',
    text: 'Hallo {[Contact First Name]},\n\nSie haben bereits Zugang zu unserem Kundenportal.\n\nPortal: {[Portal Address]}\nBenutzername: {[Portal Username]}\n\nFalls Sie Ihr Passwort vergessen haben, legen Sie hier ein neues fest (der Link gilt nur einmal; Ihr bisheriges Passwort gilt, bis Sie das tun): {[Portal Password]}\n\nWenn Sie das nicht angefordert haben, können Sie diese E-Mail ignorieren.\n\nViele Grüße\nIhr Support-Team',
  },
  it: {
    subject: 'Il tuo accesso al nostro portale clienti',
    text: 'Ciao {[Nome del Contatto]},\n\nhai già accesso al nostro portale clienti.\n\nPortale: {[Indirizzo del Portale]}\nNome utente: {[Nome Utente del Portale]}\n\nSe hai dimenticato la password, scegline una nuova qui (il link vale una sola volta; la password attuale resta valida finché non lo fai): {[Password del Portale]}\n\nSe non l’hai chiesto tu, puoi ignorare questa email.\n\nUn cordiale saluto,\nil team di assistenza',
  },
  es: {
    subject: 'Tu acceso a nuestro portal de clientes',
    text: 'Hola, {[Nombre del Contacto]}:\n\nya tienes acceso a nuestro portal de clientes.\n\nPortal: {[Dirección del Portal]}\nUsuario: {[Nombre de Usuario del Portal]}\n\nSi has olvidado tu contraseña, crea una nueva aquí (el enlace solo funciona una vez; tu contraseña actual sigue valiendo hasta que lo hagas): {[Contraseña del Portal]}\n\nSi no lo has pedido tú, puedes ignorar este correo.\n\nUn saludo,\nel equipo de soporte',
  },
};

// A one-time sign-in code (the sign-in page's "email me a code"); the code is a secret snippet,
// cut from the timeline copy like the set-password link.
const signInCode: Record<Language, Body> = {
  en: {
    subject: 'Your sign-in code for our customer portal',
    text: 'Hello {[Contact First Name]},\n\nyour code to sign in to our customer portal:\n\n{[Portal Sign-in Code]}\n\nIt works once, for 10 minutes, in the browser where you asked for it.\n\nIf you did not try to sign in, you can ignore this email: nobody can sign in without the code.\n\nBest regards,\nYour support team',
  },
  de: {
    subject: 'Ihr Anmeldecode für unser Kundenportal',
    text: 'Hallo {[Contact First Name]},\n\nIhr Code für die Anmeldung in unserem Kundenportal:\n\n{[Portal Sign-in Code]}\n\nEr gilt einmal, 10 Minuten lang, in dem Browser, in dem Sie ihn angefordert haben.\n\nWenn Sie sich nicht anmelden wollten, können Sie diese E-Mail ignorieren: Ohne den Code kann sich niemand anmelden.\n\nViele Grüße\nIhr Support-Team',
  },
  it: {
    subject: 'Il tuo codice di accesso al portale clienti',
    text: 'Ciao {[Nome del Contatto]},\n\necco il tuo codice per accedere al nostro portale clienti:\n\n{[Codice di Accesso del Portale]}\n\nVale una sola volta, per 10 minuti, nel browser in cui l’hai chiesto.\n\nSe non stavi cercando di accedere, puoi ignorare questa email: senza il codice nessuno può accedere.\n\nUn cordiale saluto,\nil team di assistenza',
  },
  es: {
    subject: 'Tu código de acceso al portal de clientes',
    text: 'Hola, {[Nombre del Contacto]}:\n\neste es tu código para entrar en nuestro portal de clientes:\n\n{[Código de Acceso del Portal]}\n\nFunciona una sola vez, durante 10 minutos, en el navegador en el que lo pediste.\n\nSi no intentabas entrar, puedes ignorar este correo: nadie puede entrar sin el código.\n\nUn saludo,\nel equipo de soporte',
  },
};

export const templateNames = ['portal-credentials', 'portal-reset', 'support-issue-report', 'request-received', 'portal-sign-in-code'] as const;
/** The templates that carry credentials (their values come from the portal capability at send time). */
export const credentialTemplates: readonly TemplateName[] = ['portal-credentials', 'portal-reset'];
export type TemplateName = (typeof templateNames)[number];

const shipped: Record<TemplateName, Record<Language, Body>> = { 'portal-credentials': credentials, 'portal-reset': reset, 'support-issue-report': issueReport, 'request-received': requestReceived, 'portal-sign-in-code': signInCode };

/** The shipped default of a template in a language. */
export function defaultTemplate(name: TemplateName, language: Language): EmailTemplate {
  const b = shipped[name][language];
  return { name, language, subject: b.subject, text: b.text, html: b.html ?? html(b.text) };
}
