// `npm run demo` as a new user runs it (after the build): Parley and a demo shop on another site,
// printed as links; the shop embeds widget.js under the strict CSP; Ctrl-C stops both.
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { request } from '../helpers/clients.js'
import { childEnv } from '../helpers/server-process.js'

/** A port nobody listens on right now (the demo takes fixed ports, as a user would type them). */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as { port: number }
  probe.close()
  return port
}

t.test('npm run demo: prints the chat and shop links; the shop (another site) embeds the widget under a strict CSP; SIGINT exits 0', async (t) => {
  const [chatPort, hostPort] = [await freePort(), await freePort()]
  const dir = t.testdir({})
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
    env: childEnv({ DEMO_CHAT_PORT: String(chatPort), DEMO_HOST_PORT: String(hostPort), DATA_DIR: dir }),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  t.teardown(() => (clearTimeout(killer), child.kill('SIGKILL')))
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  const exit = once(child, 'exit')
  while (!/Ctrl-C stops both/.test(out)) {
    if (child.exitCode !== null) throw new Error(`the demo exited: ${out}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  const chat = `https://localhost:${chatPort}`
  const shop = `https://127.0.0.1:${hostPort}`
  t.match(out, `${chat}/`, 'prints the chat link')
  t.match(out, `${shop}/`, 'prints the shop link')
  t.match(out, `${shop}/identity`, 'and the signed-identity page')
  const ca = await readFile(join(dir, 'certs', 'cert.pem'), 'utf8')

  const page = await request({ origin: shop, ca }, 'GET', '/')
  t.equal(page.status, 200)
  t.equal(page.headers['content-security-policy'], `default-src 'self'; script-src 'self' ${chat}; frame-src ${chat}; style-src 'self'`, "the issue's strict CSP, exactly")
  t.match(page.body, `<script src="${chat}/widget.js"`, 'one script tag from the chat origin')
  t.equal((await request({ origin: chat, ca }, 'GET', '/widget.js')).status, 200, 'which the chat server serves')
  const frame = await request({ origin: chat, ca }, 'GET', '/widget.html')
  t.match(frame.headers['content-security-policy'], `frame-ancestors ${shop}`, 'the shop may frame the chat panel')
  t.match((await request({ origin: shop, ca }, 'GET', '/identity')).body, /data-user-token="[\w-]+\.[\w-]+"/, '/identity embeds a signed identity')

  child.kill('SIGINT')
  t.same((await exit)[0], 0, 'Ctrl-C stops both and exits 0')
})
