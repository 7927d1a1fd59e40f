// Real clients for tests: HTTPS requests and WebSockets that verify the server's certificate.
import https from 'node:https'
import { once } from 'node:events'
import WebSocket from 'ws'
import type { TestServer } from './server.js'

export interface Response {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: any
  cookie?: string
}

/** One HTTPS request; JSON in and out. `cookie` is the `name=value` from a previous login; `localAddress` (127.0.0.N) picks the client address. */
export function request(
  server: Pick<TestServer, 'origin' | 'ca'>,
  method: string,
  path: string,
  opts: { body?: unknown; cookie?: string; headers?: Record<string, string>; raw?: string; localAddress?: string } = {}
): Promise<Response> {
  const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body))
  const headers: Record<string, string> = { ...opts.headers }
  if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json'
  if (opts.cookie) headers.cookie = opts.cookie
  return new Promise((resolve, reject) => {
    const options = { method, headers, ca: server.ca, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) }
    const req = https.request(new URL(path, server.origin), options, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c) => (text += c))
      res.on('end', () => {
        const setCookie = res.headers['set-cookie']?.[0]
        let body: unknown = text
        try {
          body = text ? JSON.parse(text) : undefined
        } catch {}
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, cookie: setCookie?.split(';')[0] })
      })
    })
    req.on('error', reject)
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout ${method} ${path}`)))
    req.end(payload)
  })
}

export const PASSWORD = 'correct horse'

/** Registers and logs in; returns the session cookie. */
export async function signUp(server: Pick<TestServer, 'origin' | 'ca'>, username: string, password = PASSWORD): Promise<string> {
  const reg = await request(server, 'POST', '/api/register', { body: { username, password } })
  if (reg.status !== 201) throw new Error(`register ${username}: ${reg.status} ${JSON.stringify(reg.body)}`)
  return logIn(server, username, password)
}

export async function logIn(server: Pick<TestServer, 'origin' | 'ca'>, username: string, password = PASSWORD): Promise<string> {
  const res = await request(server, 'POST', '/api/login', { body: { username, password } })
  if (res.status !== 200 || !res.cookie) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.cookie
}

/** The `name=value` of the embed session cookie a response set, if it set one. */
export const embedCookie = (res: Response) =>
  ([] as string[])
    .concat(res.headers['set-cookie'] ?? [])
    .find((c) => c.startsWith('__Host-parley-embed='))
    ?.split(';')[0]

/** A WebSocket client that queues frames so a test can await the next one of a type. */
export class ChatClient {
  readonly frames: any[] = []
  private waiters: { pred: (f: any) => boolean; resolve: (f: any) => void }[] = []
  closed?: { code: number; reason: string }

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data))
      const i = this.waiters.findIndex((w) => w.pred(frame))
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(frame)
      else this.frames.push(frame)
    })
    ws.on('close', (code, reason) => (this.closed = { code, reason: String(reason) }))
  }

  /** The next frame matching `type` (and `pred`), from the queue or as it arrives. */
  next(type: string, pred: (f: any) => boolean = () => true, timeoutMs = 5000, anyType?: (f: any) => boolean): Promise<any> {
    // anyType: match frames of several types (the first answer of either kind), in place of type and pred.
    const match = anyType ?? ((f: any) => f.type === type && pred(f))
    const i = this.frames.findIndex(match)
    if (i >= 0) return Promise.resolve(this.frames.splice(i, 1)[0])
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} frame within ${timeoutMs} ms`)), timeoutMs)
      this.waiters.push({ pred: match, resolve: (f) => (clearTimeout(timer), resolve(f)) })
    })
  }

  send(frame: unknown) {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  async waitClose(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    if (this.closed) return this.closed
    const [code, reason] = (await Promise.race([
      once(this.ws, 'close'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('socket did not close')), timeoutMs))
    ])) as [number, Buffer]
    return { code, reason: String(reason) }
  }
}

/**
 * Opens /ws; resolves with the client once open, or rejects with the HTTP status of a refusal.
 * A socket with a cookie asks for the lobby in its upgrade (`/ws?join=lobby`), as the page does
 * (the server joins no room by itself): `since` makes that join a resume; `join: false` asks for
 * none (the test sends its own `join`).
 */
export function connect(
  server: Pick<TestServer, 'origin' | 'ca'>,
  cookie: string | undefined,
  opts: {
    origin?: string | null
    autoPong?: boolean
    localAddress?: string
    headers?: Record<string, string>
    join?: boolean
    since?: number
    /** The upgrade's path and query as written (a test of the query itself); default `/ws` and the lobby join. */
    path?: string
  } = {}
): Promise<ChatClient> {
  const headers: Record<string, string> = { ...opts.headers }
  if (cookie) headers.cookie = cookie
  const origin = opts.origin === undefined ? server.origin : opts.origin
  // A socket with a cookie asks for the lobby in its upgrade, as the page does (the server joins no room by itself).
  const join = cookie && opts.join !== false ? `?join=lobby${opts.since === undefined ? '' : `&since=${opts.since}`}` : ''
  const ws = new WebSocket(server.origin.replace('https:', 'wss:') + (opts.path ?? '/ws' + join), {
    ca: server.ca,
    headers,
    autoPong: opts.autoPong ?? true,
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    ...(origin ? { origin } : {})
  })
  const client = new ChatClient(ws)
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      resolve(client)
    })
    ws.once('unexpected-response', (_req, res) => {
      let text = ''
      res.on('data', (c) => (text += c))
      res.on('end', () => reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode, body: text })))
    })
    ws.once('error', reject)
  })
}

/** The HTTP status with which an upgrade was refused, or 'open' when it was not. */
export async function refusal(attempt: Promise<ChatClient>): Promise<number | 'open'> {
  try {
    const client = await attempt
    client.ws.close()
    return 'open'
  } catch (err) {
    return (err as { status?: number }).status ?? -1
  }
}
