// Every language the widget speaks (its `lang` option); the page bundles English only.
import { de } from './de.ts'
import { en } from './en.ts'
import type { Catalogue } from './index.ts'

export const CATALOGUES: Readonly<Record<string, Catalogue>> = { en, de }
