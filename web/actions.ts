// What the user and the server can do to the state: sign in/out, send, and the socket's life cycle.
import { batch } from '@preact/signals'
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { ServerFrame } from '../schemas/frames.ts'
import { CLOSE, ERROR_TEXT } from '../lib/protocol.ts'
import * as api from './api.ts'
import { createConnection, type Connection } from './connection.ts'
import { MAX_MESSAGES, type ChatState } from './state.ts'

export const IDLE_NOTICE = 'You were disconnected after being idle. Please log in again.'
export const EXPIRED_NOTICE = 'Your session expired. Please log in again.'
export const LOGGED_OUT_NOTICE = 'You were signed out.'

const RETRY_BASE_MS = 500
const RETRY_MAX_MS = 15_000

export function createActions(state: ChatState) {
  let conn: Connection | null = null
  let retries = 0
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  // Bumped whenever the signed-in session changes, so late answers of an old one are ignored.
  let epoch = 0
  // The last text sent, put back into an empty input if the server refuses it.
  let lastSent = ''

  function disconnect() {
    clearTimeout(retryTimer)
    conn?.close()
    conn = null
  }

  function showLogin(notice = '') {
    epoch++
    disconnect()
    batch(() => {
      state.view.value = 'login'
      state.loginNotice.value = notice
      state.user.value = null
      state.messages.value = []
      state.draft.value = ''
      state.composerError.value = null
      state.rateLimitedUntil.value = 0
      state.idleKickAt.value = 0
      state.limits.value = null
    })
  }

  function enterChat(username: string) {
    epoch++
    retries = 0
    disconnect()
    batch(() => {
      state.user.value = username
      state.loginNotice.value = ''
      state.link.value = 'connecting'
      state.view.value = 'chat'
    })
    connect()
  }

  function connect() {
    conn = createConnection({ onFrame, onClose })
  }

  function onFrame(frame: ServerFrame) {
    switch (frame.type) {
      case 'welcome':
        retries = 0
        batch(() => {
          state.link.value = 'open'
          state.user.value = frame.user
          state.room.value = frame.room
          state.limits.value = frame.limits
          state.idleKickAt.value = 0
        })
        break
      case 'message':
        batch(() => {
          state.messages.value = [...state.messages.value, frame].slice(-MAX_MESSAGES)
          // An accepted message of ours is activity: the idle warning no longer applies.
          if (frame.user === state.user.value) state.idleKickAt.value = 0
        })
        break
      case 'idle_warning':
        state.idleKickAt.value = Date.now() + frame.kickInMs
        break
      case 'error':
        batch(() => {
          if (frame.code === 'rate_limited') {
            state.rateLimitedUntil.value = Date.now() + (frame.retryInMs ?? 1000)
          } else {
            state.composerError.value = { code: frame.code, message: errorText(frame.code, frame.message) }
          }
          if (state.draft.value === '') state.draft.value = lastSent
        })
        break
    }
  }

  function onClose(code: number) {
    conn = null
    if (code === CLOSE.idle.code) return showLogin(IDLE_NOTICE)
    if (code === CLOSE.logout.code) return showLogin(LOGGED_OUT_NOTICE)
    if (code === CLOSE.sessionExpired.code) return showLogin(EXPIRED_NOTICE)
    // 1001 shutdown, a network drop, a refused upgrade or a closed flood (1008): try again,
    // checking the session first.
    state.link.value = 'reconnecting'
    scheduleReconnect()
  }

  function scheduleReconnect() {
    const mine = epoch
    const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** retries++) * (0.75 + Math.random() / 2)
    retryTimer = setTimeout(async () => {
      let me: Awaited<ReturnType<typeof api.getMe>>
      try {
        me = await api.getMe()
      } catch {
        if (mine === epoch) scheduleReconnect()
        return
      }
      if (mine !== epoch) return
      if (me) connect()
      else showLogin(EXPIRED_NOTICE)
    }, delay)
  }

  return {
    /** On page load: straight to the chat with a live session, else the login view. */
    async start() {
      try {
        const me = await api.getMe()
        if (me) enterChat(me.username)
        else showLogin()
      } catch {
        showLogin('Could not reach the server. Please try again.')
      }
    },
    async login(username: string, password: string) {
      const me = await api.login({ username, password })
      enterChat(me.username)
    },
    /** Registers, then logs in with the same credentials. */
    async register(username: string, password: string) {
      await api.register({ username, password })
      const me = await api.login({ username, password })
      enterChat(me.username)
    },
    async leave() {
      disconnect()
      try {
        await api.logout()
      } finally {
        showLogin()
      }
    },
    /** Sends the draft; the input is cleared (and refilled if the server refuses the text). */
    send(): boolean {
      if (!state.canSend.value || !conn) return false
      const text = state.draft.value.trim()
      if (!conn.send({ type: 'message', text })) return false
      lastSent = text
      batch(() => {
        state.draft.value = ''
        state.composerError.value = null
      })
      return true
    },
    dismissError() {
      state.composerError.value = null
    }
  }
}

/** The protocol's own text for a known code; the server's message for one this page does not know. */
function errorText(code: string, fallback: string): string {
  return Object.hasOwn(ERROR_TEXT, code) ? ERROR_TEXT[code as keyof typeof ERROR_TEXT] : fallback
}

export type Actions = ReturnType<typeof createActions>

export const ActionsContext = createContext<Actions | null>(null)

export function useActions(): Actions {
  const actions = useContext(ActionsContext)
  if (!actions) throw new Error('useActions() needs an ActionsContext provider')
  return actions
}
