// A fresh Parley built by the server's own factory (app.ts) and driven with fastify.inject: no
// socket, no TLS handshake. For tests of HTTP requests and answers alone; tests of TLS, sockets,
// connection limits or timing use startServer (server.ts) and the real clients (clients.ts).
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../app.js'
import type { Config } from '../../lib/shared/config.js'
import { loadTlsMaterial } from '../../lib/transport/tls-material.js'
import { PASSWORD, type Response } from './clients.js'
import { serverDir, testConfig } from './server.js'

export interface TestApp {
  app: FastifyInstance
  /** The origin the requests name in their Host header (the page's own origin). */
  origin: string
  dataDir: string
  config: Config
}

/** What every injected request names as its Host (as a browser on https://127.0.0.1:8443 would). */
const HOST = '127.0.0.1:8443'

/** Builds the app as startServer does (same config, a fresh data dir), without listening; closed at teardown. */
export async function buildTestApp(t: Test, overrides: Partial<Config> = {}, dataDir?: string): Promise<TestApp> {
  // Registered before the data dir: teardowns run in order, and closing writes to it.
  let built: FastifyInstance | undefined
  t.teardown(() => built?.close())
  const dir = dataDir ?? serverDir(t)
  const config = testConfig(dir, overrides)
  const app = (built = await buildApp(config, await loadTlsMaterial(config)))
  await app.ready()
  return { app, origin: `https://${HOST}`, dataDir: dir, config }
}

/**
 * One injected request, with the options and answer of clients.ts's request(): JSON in and out,
 * `cookie` the `name=value` of a login, `localAddress` the client address (the remote address
 * the app sees). Header values come back as strings, set-cookie as a list, as over a socket.
 */
export async function request(
  target: Pick<TestApp, 'app'>,
  method: string,
  path: string,
  opts: { body?: unknown; cookie?: string; headers?: Record<string, string>; raw?: string; localAddress?: string } = {}
): Promise<Response> {
  const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body))
  const headers: Record<string, string> = { host: HOST, ...opts.headers }
  if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json'
  if (opts.cookie) headers.cookie = opts.cookie
  const res = await target.app.inject({
    method: method as 'GET',
    url: path,
    headers,
    remoteAddress: opts.localAddress ?? '127.0.0.1',
    ...(payload !== undefined && { payload })
  })
  const answer: Response['headers'] = {}
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) answer[name] = Array.isArray(value) ? value.map(String) : name === 'set-cookie' ? [String(value)] : String(value)
  }
  const setCookie = (answer['set-cookie'] as string[] | undefined)?.[0]
  let body: unknown = res.payload
  try {
    body = res.payload ? JSON.parse(res.payload) : undefined
  } catch {}
  return { status: res.statusCode, headers: answer, body, cookie: setCookie?.split(';')[0] }
}

export { PASSWORD }

/** Registers and logs in; returns the session cookie. */
export async function signUp(target: Pick<TestApp, 'app'>, username: string, password = PASSWORD): Promise<string> {
  const reg = await request(target, 'POST', '/api/register', { body: { username, password } })
  if (reg.status !== 201) throw new Error(`register ${username}: ${reg.status} ${JSON.stringify(reg.body)}`)
  return logIn(target, username, password)
}

export async function logIn(target: Pick<TestApp, 'app'>, username: string, password = PASSWORD): Promise<string> {
  const res = await request(target, 'POST', '/api/login', { body: { username, password } })
  if (res.status !== 200 || !res.cookie) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.cookie
}
