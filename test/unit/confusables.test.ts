import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import t from 'tap'
import { isReservedLookalike, nameSkeletons, skeleton } from '../../lib/accounts/confusables.js'
import { CONFUSABLES_DATA } from '../../lib/accounts/confusables-data.js'
import { renderConfusablesModule } from '../../scripts/generate-confusables.js'

const require = createRequire(import.meta.url)

t.test('skeleton maps look-alikes of each script to one prototype (UTS #39)', async (t) => {
  t.equal(skeleton('\u0430lice'), 'alice', 'Cyrillic а')
  t.equal(skeleton('\u0430\u04c0\u0456\u0441\u0435'), 'alice', 'all Cyrillic аӀісе')
  t.equal(skeleton('paypal'), skeleton('\u0440\u0430\u0443\u0440\u0430l'), 'Cyrillic раураl')
  t.equal(skeleton('m'), 'rn', 'm is r + n')
  t.equal(skeleton('0'), 'O', 'digit zero is capital O')
  t.equal(skeleton('1'), 'l', 'digit one is l')
  t.equal(skeleton('I'), 'l', 'capital I is l')
  t.equal(skeleton('\u03bf'), 'o', 'Greek omicron')
  t.not(skeleton('alice'), skeleton('alicia'))
})

t.test('skeleton is NFD, mapped, NFD again: composed and decomposed forms agree', async (t) => {
  t.equal(skeleton('Jos\u00e9'), skeleton('Jose\u0301'))
  t.equal(skeleton('Jos\u00e9'), 'Jose\u0301')
})

t.test('a dot above on a soft-dotted i is dropped: alİce folds to alice', async (t) => {
  t.equal(skeleton('ali\u0307ce'), 'alice')
  t.equal(skeleton('al\u0131\u0307ce'), 'alice', 'dotless ı with a dot above')
  t.ok(nameSkeletons('al\u0130ce').includes('alice'))
})

t.test('nameSkeletons: of the shown NFKC form and of the case fold', async (t) => {
  t.same(nameSkeletons('alice'), ['alice'])
  t.same(nameSkeletons('aIice'), ['alice', 'aiice'], 'capital I meets l as shown, i when folded')
  t.same(nameSkeletons('\uff41\uff4c\uff49\uff43\uff45'), ['alice'], 'fullwidth')
  t.same(nameSkeletons('Stra\u00dfe'), ['Stra\u00dfe', 'strasse'], 'ß folds to ss')
})

t.test('reserved names and their look-alikes', async (t) => {
  for (const name of ['admin', 'ADMIN', 'adrnin', '\u0430dmin', '\uff41\uff44\uff4d\uff49\uff4e', 'SYSTEM', 'parley', 'pa\u0433ley'.replace('\u0433', 'r')]) {
    t.ok(isReservedLookalike(name), name)
  }
  for (const name of ['administrate', 'alice', 'sys', 'parleyfan']) t.notOk(isReservedLookalike(name), name)
})

t.test('the committed table is what the generator makes from the unhomoglyph package', async (t) => {
  const table = require('unhomoglyph/data.json') as Record<string, string>
  const { version } = require('unhomoglyph/package.json') as { version: string }
  const committed = await readFile(new URL('../../lib/accounts/confusables-data.ts', import.meta.url), 'utf8')
  t.equal(committed, renderConfusablesModule(table, version))
  t.equal(CONFUSABLES_DATA.split(';').filter(Boolean).length, Object.keys(table).length)
  t.match(committed, /Copyright © Unicode, Inc\./, 'the Unicode notice is kept')
})

t.test('the page bundle does not carry the confusables table', async (t) => {
  // npm test builds first; a sample mapping (Cyrillic а -> a) and the version marker must be absent.
  const bundle = await readFile(new URL('../../dist/web/app.js', import.meta.url), 'utf8').catch(() => undefined)
  if (bundle === undefined) {
    t.comment('dist/web/app.js is not built (run node build.mjs)')
    return
  }
  t.notMatch(bundle, /0430>0061/)
  t.notMatch(bundle, /CONFUSABLES/)
  t.match(bundle, /invisible or blank characters/, 'but it does carry the shared username rules')
})
