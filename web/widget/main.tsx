// The widget's iframe app (served at /widget.html by the chat origin): the chat page's own state,
// actions and components (MessageList, Composer) for one room, a login (Parley account, the host
// site's signed identity, or a guest), and a postMessage link to the loader that names its exact origin.
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { ActionsContext, createActions } from '../actions.ts'
import { request, ApiRequestError } from '../api.ts'
import { createConnection } from '../connection.ts'
import type { Connection, ConnectionHandlers } from '../connection-types.ts'
import type { SessionCheck } from '../link.ts'
import { LOBBY, ROOM_NAME, type ServerFrame } from '../protocol.ts'
import { LinkBanner } from '../components/LinkBanner.tsx'
import { MessageList } from '../components/MessageList.tsx'
import { Composer } from '../components/Composer.tsx'
import { CATALOGUES } from '../i18n/all.ts'
import { setLang, t } from '../i18n/index.ts'
import { explainRefusal } from '../login-form.ts'
import { ChatStateContext, createChatState } from '../state.ts'

interface EmbedSession {
  username: string
  ticket: string
  /** The rooms the site owns (EMBED_ROOMS); empty: the site owns none and its widget opens the lobby. */
  rooms?: string[]
}

const params = new URLSearchParams(location.search)
const room = ROOM_NAME.test(params.get('room') ?? '') ? params.get('room')! : LOBBY
// The language is chosen once, before anything is rendered: every shared component speaks it.
document.documentElement.lang = setLang(params.get('lang'), CATALOGUES)
const title = params.get('title') || t('widget.title')

// The embedding page's origin: the browser's own record (cannot be forged by the host), else the referrer.
const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins
const parentOrigin = window.parent !== window ? (ancestors?.[0] ?? (document.referrer ? new URL(document.referrer).origin : null)) : null
const toParent = (message: Record<string, unknown>) => {
  if (parentOrigin) window.parent.postMessage({ parley: 1, ...message }, parentOrigin)
}

let isOpen = false
let unread = 0

/** Puts focus on the panel's first field (login or message input) when it has nowhere better to be. */
function focusFirst() {
  if (!isOpen) return
  const active = document.activeElement
  if (active && active !== document.body && !active.classList.contains('wpanel')) return
  const target = ['#w-user', '#composer-input:enabled', '.wpanel'].map((sel) => document.querySelector<HTMLElement>(sel)).find(Boolean)
  target?.focus()
}
const setUnread = (n: number) => {
  unread = n
  toParent({ type: 'unread', count: n })
}

/** The single-use ticket for the next socket, in memory only. */
let ticket: string | null = null

/** A fresh ticket from the widget cookie (a browser that keeps it): the session check of a reconnect. */
async function checkSession(): Promise<SessionCheck> {
  try {
    const { session } = await request<{ session: EmbedSession | null }>('POST', '/api/embed/ticket', { site: parentOrigin })
    if (!session) return { kind: 'ended' }
    ticket = session.ticket
    return { kind: 'ok' }
  } catch (err) {
    if (!(err instanceof ApiRequestError) || err.status === 0 || err.status >= 500) return { kind: 'unreachable' }
    return { kind: 'refused', message: refusalText(err), retryAfterMs: err.retryAfterMs || 30_000 }
  }
}

/** The page's socket, authenticated by the ticket in the first frame (never in the URL). */
function open(handlers: ConnectionHandlers): Connection {
  const held = ticket
  ticket = null
  if (held) return createConnection(handlers, undefined, { type: 'auth', ticket: held })
  // No ticket: report a failed open, so the link checks the session (which fetches one) and retries.
  let closed = false
  queueMicrotask(() => closed || handlers.onClose(1006, false))
  return {
    send: () => false,
    close: () => void (closed = true)
  }
}

/**
 * The widget never creates its room: a site's rooms are declared by the chat's operator
 * (EMBED_ROOMS) and made by the server, so no visitor can take one first. `data-room` must be one
 * of them; a site that declares none has the lobby. Anything else is shown as an error.
 */
const mayOpen = (session: EmbedSession) => (session.rooms?.length ? session.rooms.includes(room) : room === LOBBY)

function onFrame(frame: ServerFrame) {
  if (frame.type === 'joined' && frame.room === room) toParent({ type: 'ready' })
  else if (frame.type === 'message' && frame.room === room && frame.user !== state.user.value) {
    toParent({ type: 'message', message: { user: frame.user, text: frame.text, ts: frame.ts, room: frame.room } })
    if (!isOpen) setUnread(unread + 1)
  }
}

const state = createChatState()
// The socket URL stays the bare /ws (the ticket and everything else go in frames): the widget's room is a `join` frame.
const actions = createActions(state, { open, checkSession, onFrame, joinInUpgrade: false })

function enter(session: EmbedSession) {
  if (!mayOpen(session)) {
    // Signed in, but no socket: there is nothing this panel may open.
    state.roomError.value = t('widget.noRoom', { room })
    state.view.value = 'chat'
    return
  }
  ticket = session.ticket
  actions.enterChat(session.username, room)
}

/** One line for a refusal of the embed API, in the panel's language (a wait with its seconds). */
function refusalText(err: unknown): string {
  const { username = '', password = '', form = '', wait = '' } = explainRefusal(err)
  if (wait) return t('login.tryAgainIn', { text: wait, seconds: Math.ceil((err as ApiRequestError).retryAfterMs / 1000) })
  return [username, password, form].filter(Boolean).join(' ')
}

let userToken: string | null = null
let loginError = ''

/** Signs in without asking when it can: the host's signed identity, or a still-valid widget cookie. */
async function start() {
  if (!parentOrigin) return
  try {
    if (userToken) return enter(await request<EmbedSession>('POST', '/api/embed/identity', { site: parentOrigin, token: userToken }))
    const { session } = await request<{ session: EmbedSession | null }>('POST', '/api/embed/ticket', { site: parentOrigin })
    if (session) return enter(session)
    state.view.value = 'login'
  } catch (err) {
    if (userToken && err instanceof ApiRequestError) loginError = refusalText(err)
    state.view.value = 'login'
  }
}

function LoginForm() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState(loginError || state.loginNotice.value)
  const go = async (path: string, body: Record<string, unknown>) => {
    setBusy(true)
    setError('')
    try {
      enter(await request<EmbedSession>('POST', path, { site: parentOrigin, ...body }))
    } catch (err) {
      setError(refusalText(err))
    } finally {
      setBusy(false)
    }
  }
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget as HTMLFormElement)
    void go('/api/embed/login', { username: form.get('username'), password: form.get('password') })
  }
  return (
    <form class="wpanel__login" data-testid="widget-login" onSubmit={onSubmit}>
      <label for="w-user">{t('login.username')}</label>
      <input id="w-user" name="username" autocomplete="username" required data-testid="widget-username" />
      <label for="w-pass">{t('login.password')}</label>
      <input id="w-pass" name="password" type="password" autocomplete="current-password" required data-testid="widget-password" />
      <p class="wpanel__error" role="alert" data-testid="widget-error">{error}</p>
      <button type="submit" class="button button--primary" disabled={busy}>{t('login.logIn')}</button>
      <button type="button" class="button" data-testid="widget-guest" disabled={busy} onClick={() => void go('/api/embed/guest', {})}>{t('widget.guest')}</button>
    </form>
  )
}

function Panel() {
  const view = state.view.value
  const current = state.room.value
  const roomError = state.roomError.value
  // A view that appears while the panel is open (login form, then the chat) takes the focus.
  useEffect(focusFirst, [view, current])
  return (
    <ChatStateContext.Provider value={state}>
      <ActionsContext.Provider value={actions}>
        <main class="wpanel" aria-label={title} tabIndex={-1}>
          <header class="wpanel__header">
            <h1 class="wpanel__title">{title}</h1>
            <button type="button" class="button" aria-label={t('widget.close')} data-testid="widget-close" onClick={() => toParent({ type: 'close' })}>×</button>
          </header>
          <div class="wpanel__body">
            {!parentOrigin && <p class="wpanel__status">{t('widget.notFramed')}</p>}
            {parentOrigin && view === 'login' && <LoginForm />}
            {parentOrigin && (view === 'loading' || (view === 'chat' && !current && !roomError)) && <p class="wpanel__status" role="status">{t('widget.connecting')}</p>}
            {parentOrigin && view === 'chat' && !current && roomError && <p class="wpanel__status wpanel__error" role="alert" data-testid="widget-room-error">{roomError}</p>}
            {parentOrigin && view === 'chat' && current && (
              <>
                <LinkBanner />
                <MessageList room={current} />
                <Composer />
              </>
            )}
          </div>
        </main>
      </ActionsContext.Provider>
    </ChatStateContext.Provider>
  )
}

render(<Panel />, document.getElementById('app')!)

// Only the embedding page, from its exact origin, is listened to.
window.addEventListener('message', (event) => {
  if (!parentOrigin || event.source !== window.parent || event.origin !== parentOrigin) return
  const msg = event.data as { parley?: number; type?: string; open?: boolean; userToken?: string | null }
  if (!msg || msg.parley !== 1) return
  if (msg.type === 'init') {
    isOpen = Boolean(msg.open)
    actions.setPageVisible(isOpen)
    userToken = typeof msg.userToken === 'string' ? msg.userToken : null
    focusFirst()
    void start()
  } else if (msg.type === 'open') {
    isOpen = true
    actions.setPageVisible(true)
    setUnread(0)
    focusFirst()
  } else if (msg.type === 'close') {
    isOpen = false
    actions.setPageVisible(false)
  }
})
// Escape closes the panel from inside it too (the loader hears keys only while focus is on the host
// page). Always asked, never judged here: the loader focuses this frame as it opens the panel, and
// an Escape before its `open` message arrived was lost (a failed CI run); closing a closed panel is
// a no-op there.
window.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') toParent({ type: 'close' })
})
toParent({ type: 'loaded' })
