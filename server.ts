// Starts Parley: config from the environment, TLS material, then listen. All else is in app.ts.
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './lib/shared/config.js'
import { loadTlsMaterial } from './lib/transport/tls-material.js'

const SHUTDOWN_DEADLINE_MS = 10_000

async function main() {
  const config = loadConfig(process.env)
  const tls = await loadTlsMaterial(config)
  const app = await buildApp(config, tls)
  if (tls.generated) app.log.warn({ certsDir: config.certsDir }, 'generated a self-signed certificate: browsers will warn until you trust it or set TLS_CERT/TLS_KEY')

  // A first signal closes gracefully (sockets get 1001, pending writes finish); a second exits at once.
  closeWithGrace({ delay: SHUTDOWN_DEADLINE_MS, logger: { error: (m: string) => app.log.error(m) } }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
  })

  await app.listen({ port: config.port, host: config.host, listenTextResolver: (address) => `listening on ${address}` })
  const port = (app.server.address() as { port: number }).port
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host
  app.log.info(`Parley is serving https://${shown}:${port}`)
}

main().catch((err) => {
  // A bad config or an unreadable store or certificate stops start-up with its own message.
  console.error(err instanceof ConfigError ? `Configuration error: ${err.message}` : `Parley could not start: ${err.message}`)
  process.exit(1)
})
