// A stand-in for a customer's site on another origin that embeds the widget: used by `npm run demo`
// and the widget's browser tests. It sends a strict CSP, so the widget is shown to work under one.
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { signEmbedToken } from '../lib/embed-token.js'

export interface HostSite {
  origin: string
  close(): Promise<void>
}

export interface HostSiteOptions {
  /** The chat server's origin (where widget.js comes from); a function when known only later. */
  chatOrigin: string | (() => string)
  cert: string
  key: string
  port?: number
  /** This site's EMBED_SECRETS secret: /identity embeds a signed identity for `carol`. */
  secret?: string
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** Runs before widget.js: queues calls (`Parley.push`) and records the widget's events for the tests. */
const HOST_JS = `window.parleyEvents = [];
window.Parley = window.Parley || [];
['ready', 'open', 'close', 'message', 'unread'].forEach(function (name) {
  window.Parley.push(['on', name, function (detail) { window.parleyEvents.push({ name: name, detail: detail }) }]);
});
`
const HOST_CSS = 'body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem; max-width: 40rem; } button, div { all: unset; }'

export function hostPage(chatOrigin: string, opts: { token?: string; twice?: boolean; room?: string; lang?: string } = {}): string {
  const attrs = [`src="${esc(chatOrigin)}/widget.js"`, `data-room="${esc(opts.room ?? 'lobby')}"`, 'data-title="Shop support"']
  if (opts.token) attrs.push(`data-user-token="${esc(opts.token)}"`)
  if (opts.lang) attrs.push(`data-lang="${esc(opts.lang)}"`)
  const tag = `<script ${attrs.join(' ')} async></script>`
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo shop</title><link rel="stylesheet" href="/host.css">
<script src="/host.js"></script>
${tag}${opts.twice ? `\n${tag}` : ''}
</head><body><h1>Demo shop</h1>
<p>This page is another site (its own origin) that embeds Parley with one script tag. Click the chat button in the corner.</p>
<ul><li><a href="/">Log in with a Parley account (or as a guest)</a></li><li><a href="/identity">Signed in as this shop's user <b>carol</b> (signed identity)</a></li><li><a href="/de">German texts</a></li></ul>
</body></html>`
}

export async function startHostSite(opts: HostSiteOptions): Promise<HostSite> {
  const server = https.createServer({ cert: opts.cert, key: opts.key }, (req, res) => {
    const chatOrigin = typeof opts.chatOrigin === 'function' ? opts.chatOrigin() : opts.chatOrigin
    const csp = `default-src 'self'; script-src 'self' ${chatOrigin}; frame-src ${chatOrigin}; style-src 'self'`
    const url = new URL(req.url ?? '/', 'https://host.invalid')
    const send = (type: string, body: string) => {
      res.writeHead(200, { 'content-type': type, 'content-security-policy': csp, 'cache-control': 'no-store' })
      res.end(body)
    }
    if (url.pathname === '/host.js') return send('text/javascript', HOST_JS)
    if (url.pathname === '/host.css') return send('text/css', HOST_CSS)
    if (url.pathname === '/') return send('text/html; charset=utf-8', hostPage(chatOrigin))
    if (url.pathname === '/room') return send('text/html; charset=utf-8', hostPage(chatOrigin, { room: url.searchParams.get('room') ?? 'lobby' }))
    if (url.pathname === '/de') return send('text/html; charset=utf-8', hostPage(chatOrigin, { lang: 'de' }))
    if (url.pathname === '/twice') return send('text/html; charset=utf-8', hostPage(chatOrigin, { twice: true }))
    if (url.pathname === '/identity' && opts.secret) {
      // What a site's backend does: sign {user, exp} with its secret, valid for a few minutes.
      const token = url.searchParams.get('token') ?? signEmbedToken(url.searchParams.get('user') ?? 'carol', Math.floor(Date.now() / 1000) + 300, opts.secret)
      return send('text/html; charset=utf-8', hostPage(chatOrigin, { token }))
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `https://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) })
  }
}
