// widget.js: the one-script-tag embed. A launcher in a shadow root; the chat itself in an iframe
// served by the chat origin, created on first open, so no Parley credential ever lives in the
// host page. Safe to include twice; calls queued before it loaded (`Parley.push([...])`) run.
import { WIDGET_CSS } from './loader-css.ts'
import { widgetText } from './texts.ts'

type Command = [string, ...unknown[]]
type Listener = (detail?: unknown) => void
interface ParleyApi {
  open(): void
  close(): void
  toggle(): void
  on(event: string, fn: Listener): void
  push(command: Command): void
  readonly version: string
}

const win = window as unknown as { Parley?: ParleyApi | Command[] }
const script = document.currentScript as HTMLScriptElement | null

if (!(win.Parley && !Array.isArray(win.Parley)) && script) start(script)

function start(tag: HTMLScriptElement) {
  const chatOrigin = new URL(tag.src).origin
  const data = tag.dataset
  const room = /^[a-z0-9-]{1,32}$/.test(data.room ?? '') ? data.room! : 'lobby'
  const text = widgetText(data.lang)
  const queued = Array.isArray(win.Parley) ? win.Parley : []
  const listeners: Record<string, Listener[]> = {}
  const emit = (event: string, detail?: unknown) => {
    for (const fn of listeners[event] ?? []) {
      try {
        fn(detail)
      } catch (err) {
        console.error(err) // a faulty host callback must not stop the widget
      }
    }
  }

  // Host-page styles cannot reach into a closed shadow root, and ours cannot leak out.
  const host = document.createElement('div')
  host.setAttribute('data-parley-widget', '')
  const shadow = host.attachShadow({ mode: 'closed' })
  const sheet = new CSSStyleSheet()
  sheet.replaceSync(WIDGET_CSS)
  shadow.adoptedStyleSheets = [sheet]

  const wrap = document.createElement('div')
  wrap.className = `wrap ${data.position === 'bottom-left' ? 'left' : 'right'}`
  if (data.color && /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(data.color)) wrap.style.setProperty('--accent', data.color)
  const button = document.createElement('button')
  button.type = 'button'
  button.className = 'launcher'
  button.setAttribute('aria-expanded', 'false')
  button.setAttribute('aria-label', text.open)
  // Built node by node: no innerHTML, so hosts that enforce Trusted Types work too.
  const svgNs = 'http://www.w3.org/2000/svg'
  const icon = document.createElementNS(svgNs, 'svg')
  icon.setAttribute('viewBox', '0 0 24 24')
  icon.setAttribute('aria-hidden', 'true')
  const path = document.createElementNS(svgNs, 'path')
  path.setAttribute('d', 'M4 5h16v11H9l-5 4z')
  icon.append(path)
  button.append(icon)
  const badge = document.createElement('span')
  badge.className = 'badge'
  badge.hidden = true
  button.append(badge)
  const panel = document.createElement('div')
  panel.className = 'panel'
  panel.hidden = true
  wrap.append(panel, button)
  shadow.append(wrap)

  let frame: HTMLIFrameElement | null = null
  let isOpen = false
  let unread = 0

  // Until the iframe says it loaded, its window is still about:blank (the host's origin): a message
  // then would be refused with an error in the host's console, and `init` carries the state anyway.
  let loaded = false
  const post = (message: Record<string, unknown>) => loaded && frame?.contentWindow?.postMessage({ parley: 1, ...message }, chatOrigin)
  const setUnread = (n: number) => {
    unread = n
    badge.hidden = n === 0 || isOpen
    badge.textContent = n > 99 ? '99+' : String(n)
    button.setAttribute('aria-label', n > 0 && !isOpen ? `${text.open} (${text.unread(n)})` : isOpen ? text.close : text.open)
  }

  function createFrame() {
    const params = new URLSearchParams({ room })
    if (data.lang) params.set('lang', data.lang)
    const title = data.title?.slice(0, 60)
    if (title) params.set('title', title)
    frame = document.createElement('iframe')
    frame.src = `${chatOrigin}/widget.html?${params}`
    frame.title = title || text.title
    frame.allow = 'clipboard-write'
    panel.append(frame)
  }

  // Only our own iframe, from the exact chat origin, is listened to.
  window.addEventListener('message', (event) => {
    if (event.origin !== chatOrigin || !frame || event.source !== frame.contentWindow) return
    const msg = event.data as { parley?: number; type?: string; count?: number; message?: unknown }
    if (!msg || msg.parley !== 1) return
    if (msg.type === 'loaded') {
      loaded = true
      // The host site's signed identity goes to the iframe by postMessage, never in a URL.
      post({ type: 'init', open: isOpen, userToken: data.userToken ?? null })
    } else if (msg.type === 'ready') emit('ready')
    else if (msg.type === 'unread' && typeof msg.count === 'number') {
      setUnread(isOpen ? 0 : msg.count)
      emit('unread', unread)
    } else if (msg.type === 'message') emit('message', msg.message)
    else if (msg.type === 'close') api.close()
  })

  const api: ParleyApi = {
    version: '1',
    open() {
      if (isOpen) return
      if (!frame) createFrame()
      isOpen = true
      panel.hidden = false
      button.setAttribute('aria-expanded', 'true')
      wrap.classList.add('open')
      setUnread(0)
      post({ type: 'open' })
      frame!.focus()
      emit('open')
    },
    close() {
      if (!isOpen) return
      isOpen = false
      panel.hidden = true
      button.setAttribute('aria-expanded', 'false')
      wrap.classList.remove('open')
      setUnread(unread)
      post({ type: 'close' })
      button.focus()
      emit('close')
    },
    toggle() {
      if (isOpen) api.close()
      else api.open()
    },
    on(event, fn) {
      if (typeof fn === 'function') (listeners[event] ??= []).push(fn)
    },
    push(command) {
      if (!Array.isArray(command)) return
      const [name, ...args] = command
      if (name === 'on') api.on(args[0] as string, args[1] as Listener)
      else if (name === 'open' || name === 'close' || name === 'toggle') api[name]()
    }
  }

  button.addEventListener('click', () => api.toggle())
  // Escape closes the panel while the focus is on the widget (seen from the page: its host) or on
  // nothing: on a phone the launcher hides as the panel opens, so until the panel takes the focus
  // it rests on the body, and an Escape then was lost. Other elements' Escape stays the page's.
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && isOpen && (event.target === host || event.target === document.body)) api.close()
  })
  win.Parley = api
  const mount = () => document.body.append(host)
  if (document.body) mount()
  else document.addEventListener('DOMContentLoaded', mount, { once: true })
  for (const command of queued) api.push(command)
  if (data.open === '' || data.open === 'true') api.open()
}
