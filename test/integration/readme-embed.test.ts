// The README's signed-identity recipe, run as written: what a site's backend copies must work.
import t from 'tap'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { verifyEmbedToken } from '../../lib/embed/embed-token.js'
import { loadConfig } from '../../lib/shared/config.js'

const README = fileURLToPath(new URL('../../README.md', import.meta.url))

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

t.test("the README's embed setup works as written: its EMBED_ROOMS line declares the data-room of its script tag for its site", async (t) => {
  const readme = await readFile(README, 'utf8')
  const section = readme.slice(readme.indexOf('## Embedding the widget'))
  const tag = /data-room="([^"]+)"/.exec(section)?.[1]
  const env = Object.fromEntries(
    (/```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '')
      .trim()
      .split('\n')
      .map((line) => line.split(/=(.*)/s).slice(0, 2))
  )
  const config = loadConfig(env)
  t.same(config.embedRooms, [{ site: 'https://shop.example', name: tag }], `the ${tag} room of the script tag belongs to the site`)
})
