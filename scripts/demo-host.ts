// A stand-in for a customer's site on another origin that embeds the widget: used by `npm run demo`
// and the widget's browser tests. It sends a strict CSP, so the widget is shown to work under one.
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { signEmbedToken } from '../lib/embed/embed-token.js'

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

/**
 * Runs before widget.js: queues calls (`Parley.push`) and records, for the tests, the widget's events,
 * any CSP violation, and the page's globals before the widget came.
 */
const HOST_JS = `window.parleyEvents = [];
window.parleyCsp = [];
window.parleyGlobals = Object.getOwnPropertyNames(window);
document.addEventListener('securitypolicyviolation', function (e) {
  window.parleyCsp.push(e.violatedDirective + ' ' + e.blockedURI);
});
window.Parley = window.Parley || [];
['ready', 'open', 'close', 'message', 'unread'].forEach(function (name) {
  window.Parley.push(['on', name, function (detail) { window.parleyEvents.push({ name: name, detail: detail }) }]);
});
`
const HOST_CSS = 'body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem; max-width: 40rem; } button, div { all: unset; }'
/** A host stylesheet that tries everything a careless (or hostile) site might do to an embed. */
const HOSTILE_CSS = `body * { all: unset !important; display: none !important; }
[data-parley-widget], div, iframe, button { visibility: hidden !important; opacity: 0 !important; transform: scale(0) !important;
  position: static !important; width: 0 !important; height: 0 !important; z-index: -1 !important; pointer-events: none !important; }
button { background: red !important; font-size: 0 !important; }`

/** The widget's data- options a host page may set (the tests and the demo take them from the query). */
export const WIDGET_OPTIONS = ['room', 'position', 'color', 'title', 'open', 'lang'] as const
export type WidgetOptions = Partial<Record<(typeof WIDGET_OPTIONS)[number], string>>

export interface HostPageOptions {
  token?: string
  twice?: boolean
  /** No widget at all: the same page as it looks without the embed. */
  plain?: boolean
  hostile?: boolean
  widget?: WidgetOptions
}

export function hostPage(chatOrigin: string, opts: HostPageOptions = {}): string {
  const data: WidgetOptions = { room: 'lobby', title: 'Shop support', ...opts.widget }
  const attrs = [`src="${esc(chatOrigin)}/widget.js"`]
  for (const name of WIDGET_OPTIONS) if (data[name] !== undefined) attrs.push(`data-${name}="${esc(data[name])}"`)
  if (opts.token) attrs.push(`data-user-token="${esc(opts.token)}"`)
  const tag = opts.plain ? '' : `<script ${attrs.join(' ')} async></script>`
  // A second tag as a careless template adds it: another room, which must not start a second widget.
  const second = `<script src="${esc(chatOrigin)}/widget.js" data-room="second-tag" data-position="bottom-left" async></script>`
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo shop</title><link rel="stylesheet" href="/host.css">${opts.hostile ? '<link rel="stylesheet" href="/hostile.css">' : ''}
<script src="/host.js"></script>
${tag}${opts.twice ? `\n${tag}\n${second}` : ''}
</head><body><main><h1>Demo shop</h1>
<p>This page is another site (its own origin) that embeds Parley with one script tag. Click the chat button in the corner.</p>
<ul><li><a href="/">Log in with a Parley account (or as a guest)</a></li><li><a href="/identity">Signed in as this shop's user <b>carol</b> (signed identity)</a></li><li><a href="/de">German texts</a></li><li><a href="/?position=bottom-left&amp;color=%23b00060&amp;title=Help">Options: bottom-left, pink, titled Help</a></li></ul>
<p><button type="button" id="host-button">A button of the shop</button></p>
</main></body></html>`
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
    if (url.pathname === '/hostile.css') return send('text/css', HOSTILE_CSS)
    // `/?room=support&position=bottom-left&...`: any widget option from the query.
    const widget: WidgetOptions = {}
    for (const name of WIDGET_OPTIONS) {
      const value = url.searchParams.get(name)
      if (value !== null) widget[name] = value
    }
    const page = (more: HostPageOptions = {}) => send('text/html; charset=utf-8', hostPage(chatOrigin, { widget, ...more }))
    if (url.pathname === '/') return page()
    if (url.pathname === '/de') return page({ widget: { ...widget, lang: 'de' } })
    if (url.pathname === '/twice') return page({ twice: true })
    if (url.pathname === '/plain') return page({ plain: true })
    if (url.pathname === '/hostile') return page({ hostile: true })
    if (url.pathname === '/identity' && opts.secret) {
      // What a site's backend does: sign {user, exp} with its secret, valid for a few minutes.
      const token = url.searchParams.get('token') ?? signEmbedToken(url.searchParams.get('user') ?? 'carol', Math.floor(Date.now() / 1000) + 300, opts.secret)
      return page({ token })
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
