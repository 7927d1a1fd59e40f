// The widget's own words, in English and German; `lang` picks one (unknown falls back to English).

export interface WidgetText {
  title: string
  open: string
  close: string
  unread(n: number): string
}

const TEXTS: Record<string, WidgetText> = {
  en: {
    title: 'Chat',
    open: 'Open chat',
    close: 'Close chat',
    unread: (n) => (n === 1 ? '1 unread message' : `${n} unread messages`)
  },
  de: {
    title: 'Chat',
    open: 'Chat öffnen',
    close: 'Chat schließen',
    unread: (n) => (n === 1 ? '1 ungelesene Nachricht' : `${n} ungelesene Nachrichten`)
  }
}

export function widgetText(lang: string | undefined): WidgetText {
  const base = (lang ?? '').toLowerCase().split('-')[0] ?? ''
  return TEXTS[base] ?? TEXTS.en!
}
