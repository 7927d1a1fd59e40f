// The widget's iframe app (served at /widget.html by the chat origin): the chat page's own state
// and components (MessageList, Composer) for one room, a login (Parley account, the host site's
// signed identity, or a guest), and a postMessage link to the loader that names its exact origin.
import { batch } from '@preact/signals'
import { render } from 'preact'
import { useState } from 'preact/hooks'
import type { ServerFrame } from '../../schemas/frames.ts'
import { ActionsContext, type Actions } from '../actions.ts'
import { request, ApiRequestError } from '../api.ts'
import { MessageList } from '../components/MessageList.tsx'
import { Composer } from '../components/Composer.tsx'
import { ChatStateContext, createChatState, MAX_MESSAGES } from '../state.ts'
import { panelText } from './panel-texts.ts'

interface EmbedSession {
  username: string
  ticket: string
}

const params = new URLSearchParams(location.search)
const room = /^[a-z0-9-]{1,32}$/.test(params.get('room') ?? '') ? params.get('room')! : 'lobby'
const text = panelText(params.get('lang'))
const title = params.get('title') || 'Chat'
document.documentElement.lang = params.get('lang') === 'de' ? 'de' : 'en'

// The embedding page's origin: the browser's own record (cannot be forged by the host), else the referrer.
const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins
const parentOrigin = window.parent !== window ? (ancestors?.[0] ?? (document.referrer ? new URL(document.referrer).origin : null)) : null
const toParent = (message: Record<string, unknown>) => {
  if (parentOrigin) window.parent.postMessage({ parley: 1, ...message }, parentOrigin)
}

const state = createChatState()
let isOpen = false
let unread = 0
let socket: WebSocket | null = null
let lastSent = ''
const setUnread = (n: number) => {
  unread = n
  toParent({ type: 'unread', count: n })
}

function connect(session: EmbedSession) {
  socket?.close()
  state.link.value = 'connecting'
  const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/ws')
  socket = ws
  // The ticket travels in the first frame, never in the URL. With the partitioned cookie the
  // socket is already signed in and the server ignores the frame.
  ws.addEventListener('open', () => ws.send(JSON.stringify({ type: 'auth', ticket: session.ticket })))
  ws.addEventListener('message', (event) => {
    if (typeof event.data === 'string') onFrame(JSON.parse(event.data) as ServerFrame)
  })
  ws.addEventListener('close', () => {
    if (socket !== ws) return
    state.link.value = 'reconnecting'
    // A new ticket (the cookie, if the browser kept it) or a fresh automatic login.
    setTimeout(() => void start(false), 2000)
  })
}

function onFrame(frame: ServerFrame) {
  switch (frame.type) {
    case 'welcome':
      batch(() => {
        state.link.value = 'open'
        state.user.value = frame.user
        state.room.value = frame.room
        state.limits.value = frame.limits
        state.view.value = 'chat'
      })
      rerender()
      if (room !== 'lobby') socket?.send(JSON.stringify({ type: 'join', room }))
      toParent({ type: 'ready' })
      break
    case 'message':
      state.messages.value = [...state.messages.value, frame].slice(-MAX_MESSAGES)
      if (frame.user === state.user.value) lastSent = ''
      else {
        toParent({ type: 'message', message: { user: frame.user, text: frame.text, ts: frame.ts, room: frame.room } })
        if (!isOpen) setUnread(unread + 1)
      }
      break
    case 'error':
      state.composerError.value = { code: frame.code, message: frame.message }
      if (!state.draft.value && lastSent) state.draft.value = lastSent
      break
    default:
      break
  }
}

// What Composer needs of the page's actions, over the widget's socket.
const actions = {
  send() {
    const draft = state.draft.value.trim()
    if (!state.canSend.value || !socket || socket.readyState !== WebSocket.OPEN) return false
    socket.send(JSON.stringify({ type: 'message', text: draft }))
    lastSent = draft
    state.draft.value = ''
    return true
  },
  dismissError() {
    state.composerError.value = null
  }
} as unknown as Actions

let userToken: string | null = null
const loginError = { value: '' }

/** Signs in without asking when it can: the host's signed identity, or a still-valid widget cookie. */
async function start(first: boolean) {
  if (!parentOrigin) return
  try {
    if (userToken) return connect(await request<EmbedSession>('POST', '/api/embed/identity', { site: parentOrigin, token: userToken }))
    return connect(await request<EmbedSession>('POST', '/api/embed/ticket', { site: parentOrigin }))
  } catch (err) {
    if (userToken && err instanceof ApiRequestError) loginError.value = err.message
    state.view.value = 'login'
    if (!first) socket = null
    rerender()
  }
}

function LoginForm() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState(loginError.value)
  const go = async (path: string, body: Record<string, unknown>) => {
    setBusy(true)
    setError('')
    try {
      connect(await request<EmbedSession>('POST', path, { site: parentOrigin, ...body }))
    } catch (err) {
      setError(err instanceof ApiRequestError ? err.message : String(err))
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
      <label for="w-user">{text.username}</label>
      <input id="w-user" name="username" autocomplete="username" required data-testid="widget-username" />
      <label for="w-pass">{text.password}</label>
      <input id="w-pass" name="password" type="password" autocomplete="current-password" required data-testid="widget-password" />
      <p class="wpanel__error" role="alert" data-testid="widget-error">{error}</p>
      <button type="submit" class="button button--primary" disabled={busy}>{text.login}</button>
      <button type="button" class="button" disabled={busy} onClick={() => void go('/api/embed/guest', {})}>{text.guest}</button>
    </form>
  )
}

function Panel() {
  const view = state.view.value
  return (
    <ChatStateContext.Provider value={state}>
      <ActionsContext.Provider value={actions}>
        <section class="wpanel" aria-label={title}>
          <header class="wpanel__header">
            <h1 class="wpanel__title">{title}</h1>
            <button type="button" class="button" aria-label={text.close} data-testid="widget-close" onClick={() => toParent({ type: 'close' })}>×</button>
          </header>
          <div class="wpanel__body">
            {!parentOrigin && <p>{text.notFramed}</p>}
            {parentOrigin && view === 'login' && <LoginForm />}
            {parentOrigin && view === 'loading' && <p role="status">{text.connecting}</p>}
            {parentOrigin && view === 'chat' && (
              <>
                <MessageList />
                <Composer />
              </>
            )}
          </div>
        </section>
      </ActionsContext.Provider>
    </ChatStateContext.Provider>
  )
}

const rerender = () => render(<Panel />, document.getElementById('app')!)
rerender()

// Only the embedding page, from its exact origin, is listened to.
window.addEventListener('message', (event) => {
  if (!parentOrigin || event.source !== window.parent || event.origin !== parentOrigin) return
  const msg = event.data as { parley?: number; type?: string; open?: boolean; userToken?: string | null }
  if (!msg || msg.parley !== 1) return
  if (msg.type === 'init') {
    isOpen = Boolean(msg.open)
    userToken = typeof msg.userToken === 'string' ? msg.userToken : null
    void start(true)
  } else if (msg.type === 'open') {
    isOpen = true
    setUnread(0)
  } else if (msg.type === 'close') isOpen = false
})
toParent({ type: 'loaded' })
