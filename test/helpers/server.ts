// Builds a fresh Parley over real HTTPS on 127.0.0.1 for one test, with small limits.
import { join } from 'node:path'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../app.js'
import { defaultConfig, type Config } from '../../lib/shared/config.js'
import { loadTlsMaterial } from '../../lib/transport/tls-material.js'

export interface TestServer {
  app: FastifyInstance
  origin: string
  port: number
  dataDir: string
  /** The server's self-signed certificate: clients trust exactly this. */
  ca: string
  config: Config
}

/** Fast scrypt, quiet logs and limits raised for tests that sign up many users; everything else as in production unless overridden. */
export function testConfig(dataDir: string, overrides: Partial<Config> = {}): Config {
  return defaultConfig({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    certsDir: join(dataDir, 'certs'),
    scryptCost: 1024,
    logLevel: 'silent',
    loginFailuresPerMin: 1000,
    registrationsPerHour: 1000,
    // Tests create many rooms from 127.0.0.1; the room quota tests set their own.
    roomsPerUser: 1000,
    roomsPerIp: 1000,
    hashQueueMax: 1000,
    // As many as libuv's default thread pool, as before the queue; the flood test sets its own.
    hashConcurrency: 4,
    ...overrides
  })
}

// One t.testdir per test (a second call would delete the first server's live data dir), one
// subfolder per server started in that test.
const testDirs = new WeakMap<Test, { dir: string; servers: number }>()
export function serverDir(t: Test): string {
  let entry = testDirs.get(t)
  if (!entry) testDirs.set(t, (entry = { dir: t.testdir({}), servers: 0 }))
  return join(entry.dir, `server-${++entry.servers}`)
}

export async function startServer(t: Test, overrides: Partial<Config> = {}, dataDir?: string): Promise<TestServer> {
  // Registered before t.testdir(): teardowns run in order, and closing writes to the data dir.
  let built: FastifyInstance | undefined
  t.teardown(() => built?.close())
  const dir = dataDir ?? serverDir(t)
  const config = testConfig(dir, overrides)
  const tls = await loadTlsMaterial(config)
  const app = (built = await buildApp(config, tls))
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  return { app, origin: `https://127.0.0.1:${port}`, port, dataDir: dir, ca: tls.cert, config }
}
