// The words the page and the widget's panel show: English (en.ts) is the fallback and names every key;
// each other language (de.ts, listed in all.ts) must have the same keys or typecheck fails. The app
// chooses its language once (`setLang`, before the first render); `t(key, params)` fills `{name}`
// placeholders with plain text, never markup. The page bundles English only; the widget, every language.
import { en } from './en.ts'

export type MessageKey = keyof typeof en
export type Catalogue = Readonly<Record<MessageKey, string>>

/** A language tag ("de-AT", "DE") to one of `catalogues`' languages, else English. */
export function pickLang(tag: string | null | undefined, catalogues: Readonly<Record<string, Catalogue>>): string {
  const base = (tag ?? '').toLowerCase().split('-')[0] ?? ''
  return Object.hasOwn(catalogues, base) ? base : 'en'
}

let current = 'en'
let catalogue: Catalogue = en
let formats: { time: Intl.DateTimeFormat; day: Intl.DateTimeFormat; full: Intl.DateTimeFormat } | null = null
let numbers: Intl.NumberFormat | null = null

/**
 * Chooses the app's language once, before the first render, from `catalogues` (those the app bundles:
 * the page only English, the widget every one in all.ts); returns the language chosen.
 */
export function setLang(tag: string | null | undefined, catalogues: Readonly<Record<string, Catalogue>> = { en }): string {
  current = pickLang(tag, catalogues)
  catalogue = catalogues[current] ?? en
  formats = null
  numbers = null
  return current
}

export type Params = Readonly<Record<string, string | number>>

/** The text for `key` in the app's language, `{name}` replaced by `params.name` (as text). */
export function t(key: MessageKey, params?: Params): string {
  const text = catalogue[key]
  return params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole)) : text
}

/** Keys with a `_one` and an `_other` form. */
type Countable = { [K in MessageKey]: K extends `${infer Base}_one` ? (`${Base}_other` extends MessageKey ? Base : never) : never }[MessageKey]

/** The singular or plural form for `count` (English and German have just these two). */
export function tn(base: Countable, count: number, params?: Params): string {
  const form = new Intl.PluralRules(current).select(count) === 'one' ? 'one' : 'other'
  return t(`${base}_${form}` as MessageKey, { count, ...params })
}

/** The browser's own variant of the chosen language (en-GB: 24-hour times), else the language itself. */
function dateLocale(): string {
  const preferred = typeof navigator === 'undefined' ? [] : navigator.languages
  return preferred.find((tag) => tag.toLowerCase().split('-')[0] === current) ?? current
}

function dateFormats() {
  if (!formats) {
    const locale = dateLocale()
    formats = {
      time: new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }),
      day: new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }),
      full: new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
    }
  }
  return formats
}

/** "09:47" (hours and minutes, in the app's language). */
export const formatTime = (ts: number | Date) => dateFormats().time.format(ts)
/** "Friday, 3 May 2024". */
export const formatDay = (ts: number | Date) => dateFormats().day.format(ts)
/** Date and time, for a title or a session's times. */
export const formatDateTime = (ts: number | Date) => dateFormats().full.format(ts)

/** "1,234" in English, "1.234" in German: a count as the app's language writes it. */
export const formatNumber = (n: number) => (numbers ??= new Intl.NumberFormat(current)).format(n)

/** The text for a refusal code under `prefix` (`api.forbidden_site`, `error.room_full`), else `fallback` (the server's own). */
export function codeText(prefix: 'api' | 'error', code: string, fallback: string): string {
  const key = `${prefix}.${code}`
  return Object.hasOwn(en, key) ? t(key as MessageKey) : fallback
}

export const apiText = (code: string, fallback: string) => codeText('api', code, fallback)
