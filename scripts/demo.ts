// `npm run demo`: Parley on https://localhost:5443 and a demo shop on https://127.0.0.1:5444 that
// embeds the widget (different sites, so third-party rules apply). Prints the link.
import { mkdirSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { buildApp } from '../app.js'
import { defaultConfig } from '../lib/shared/config.js'
import { loadTlsMaterial } from '../lib/transport/tls-material.js'
import { startHostSite } from './demo-host.js'

const chatPort = Number(process.env.DEMO_CHAT_PORT ?? 5443)
const hostPort = Number(process.env.DEMO_HOST_PORT ?? 5444)
const hostOrigin = `https://127.0.0.1:${hostPort}`
const chatOrigin = `https://localhost:${chatPort}`
const secret = randomBytes(32).toString('base64url')
const dataDir = process.env.DATA_DIR ?? './data-demo'
mkdirSync(dataDir, { recursive: true })

const config = defaultConfig({
  port: chatPort,
  host: '127.0.0.1',
  dataDir,
  certsDir: `${dataDir}/certs`,
  logLevel: 'warn',
  embedOrigins: [hostOrigin],
  embedSecrets: { [hostOrigin]: secret },
  embedGuests: [hostOrigin],
  idleWarnMs: 10 * 60_000,
  idleKickMs: 15 * 60_000
})
const tls = await loadTlsMaterial(config)
const app = await buildApp(config, tls)
await app.listen({ port: chatPort, host: '127.0.0.1' })
const host = await startHostSite({ chatOrigin, cert: tls.cert, key: tls.key, port: hostPort, secret })
process.stdout.write(`
Parley chat:      ${chatOrigin}/   (register an account here)
Demo host site:   ${host.origin}/   <- open this: the widget sits in the bottom-right corner
Signed identity:  ${host.origin}/identity   (the shop's user "carol", no password)
More:             ${host.origin}/de (German), ${host.origin}/?position=bottom-left&color=%23b00060 (options)
Both use a self-signed certificate: accept it once for each address (chat first).
Ctrl-C stops both.
`)
const stop = async () => {
  await host.close()
  await app.close()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
