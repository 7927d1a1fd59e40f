// docs/configuration.md is rendered from ConfigSchema (scripts/gen-config-docs.ts): the schema is
// the one place a setting is described, and the committed doc must be what it renders today.
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { ConfigSchema, envName, loadConfig } from '../../lib/shared/config.js'
import { renderConfigDocs } from '../../scripts/gen-config-docs.js'

const DOC = new URL('../../docs/configuration.md', import.meta.url)
const settings = Object.entries(ConfigSchema.properties as Record<string, { description?: string }>)

t.test('docs/configuration.md is what npm run docs:config renders from the schema today', async (t) => {
  const committed = await readFile(DOC, 'utf8')
  t.equal(committed, renderConfigDocs(), 'docs/configuration.md is stale: run npm run docs:config')
})

t.test('every ConfigSchema setting has a non-empty description', async (t) => {
  const missing = settings.filter(([, s]) => !s.description?.trim()).map(([key]) => envName(key))
  t.same(missing, [], 'settings without a description')
})

t.test('the doc has one row per setting, in schema order, and its error example is the real message', async (t) => {
  const rendered = renderConfigDocs()
  const rows = [...rendered.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1])
  t.same(rows, settings.map(([key]) => envName(key)))
  const message = (() => {
    try {
      loadConfig({ PORT: 'abc' })
    } catch (err) {
      return (err as Error).message
    }
  })()
  t.match(rendered.replace(/\s+/g, ' '), `Configuration error: ${message}`, 'the intro quotes what the server prints')
})
