// The README's signed-identity recipe, run as written: what a site's backend copies must work.
import t from 'tap'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { verifyEmbedToken } from '../lib/embed-token.js'

const README = fileURLToPath(new URL('../README.md', import.meta.url))

t.test('the README signed-identity example makes a token Parley accepts for that user', async (t) => {
  const readme = await readFile(README, 'utf8')
  const section = readme.slice(readme.indexOf('**Signed identity.**'))
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1]
  t.ok(code?.includes('createHmac'), 'the example is there')
  const dir = t.testdir({})
  const file = join(dir, 'site-backend.mjs')
  await writeFile(file, `${code}\nexport { token }\n`)
  const secret = 'x'.repeat(40)
  process.env.PARLEY_SECRET = secret
  t.teardown(() => void delete process.env.PARLEY_SECRET)
  const { token } = await import(file)
  t.match(verifyEmbedToken(token, secret), { ok: true, user: 'carol' }, 'verifies, user carol')
  t.match(verifyEmbedToken(token, 'y'.repeat(40)), { ok: false, code: 'token_invalid' }, 'and only under that secret')
})
