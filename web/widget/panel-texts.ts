// The iframe panel's own words (the loader's are in texts.ts, kept apart so widget.js stays tiny).
export interface PanelText {
  close: string
  login: string
  username: string
  password: string
  guest: string
  connecting: string
  notFramed: string
}

const TEXTS: Record<string, PanelText> = {
  en: {
    close: 'Close chat',
    login: 'Log in',
    username: 'Username',
    password: 'Password',
    guest: 'Chat as a guest',
    connecting: 'Connecting…',
    notFramed: 'This page is the chat widget; add widget.js to a site to use it.'
  },
  de: {
    close: 'Chat schließen',
    login: 'Anmelden',
    username: 'Benutzername',
    password: 'Passwort',
    guest: 'Als Gast chatten',
    connecting: 'Verbinde…',
    notFramed: 'Diese Seite ist das Chat-Widget; binde widget.js in eine Website ein.'
  }
}

export function panelText(lang: string | null): PanelText {
  const base = (lang ?? '').toLowerCase().split('-')[0] ?? ''
  return TEXTS[base] ?? TEXTS.en!
}
