// What the user and the server do to the state: sign in/out, rooms, sending through the outbox, and the
// socket's life cycle (link.ts). Server frames are applied in frames.ts.
import { batch } from '@preact/signals'
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import { CLOSE, HISTORY_PAGE, TYPING_INTERVAL_MS } from '../lib/chat/protocol/protocol.ts'
import * as api from './api.ts'
import { createConnection } from './connection.ts'
import { applyFrame, type FrameContext } from './frames.ts'
import { createLink, type LinkDeps, type SessionCheck } from './link.ts'
import * as outbox from './outbox.ts'
import { membersRequest } from './members.ts'
import { LOBBY, ROOM_NAME, type ServerFrame } from './protocol.ts'
import { createRoomState } from './room-state.ts'
import type { ChatState } from './state.ts'
import { createThrottle, realTimers } from './throttle.ts'
import { firstSeq, lastSeq } from './timeline.ts'
import { t, type MessageKey } from './i18n/index.ts'


/** Activity frames at most this often (rooms protocol). */
export const ACTIVITY_INTERVAL_MS = 5000
/** Typing frames at most this often per room (the server drops extra ones anyway); history pages of this size. */
export { HISTORY_PAGE, TYPING_INTERVAL_MS }

/** Why the login view is shown after a close code (0: the session check found no session). */
const CLOSE_NOTICES: Partial<Record<number, MessageKey>> = {
  0: 'notice.sessionEnded',
  [CLOSE.idle.code]: 'notice.idle',
  [CLOSE.logout.code]: 'notice.loggedOut',
  [CLOSE.sessionExpired.code]: 'notice.expired'
}

async function checkSession(): Promise<SessionCheck> {
  try {
    return (await api.getMe()) ? { kind: 'ok' } : { kind: 'ended' }
  } catch (err) {
    if (!(err instanceof api.ApiRequestError) || err.status === 0 || err.status >= 500) return { kind: 'unreachable' }
    if (err.status === 429) {
      const wait = err.retryAfterMs || 30_000
      return { kind: 'refused', message: t('link.busy', { seconds: Math.ceil(wait / 1000) }), retryAfterMs: wait }
    }
    return { kind: 'refused', message: t('link.refusedStatus', { status: err.status, message: err.message }), retryAfterMs: 60_000 }
  }
}

const newCid = () => 'c-' + crypto.randomUUID()

/** "Not sent: “hi”, “see you”" for messages that could not go out before the session ended. */
function unsentNote(texts: string[]): string {
  if (texts.length === 0) return ''
  const list = texts
    .slice(0, 3)
    .map((text) => t('notice.quoted', { text: text.length > 40 ? text.slice(0, 39) + '…' : text }))
    .join(', ')
  return ' ' + t('notice.unsent', { list: texts.length > 3 ? t('notice.unsentMore', { list, count: texts.length - 3 }) : list })
}

/** What another entry point (the widget iframe) may swap: how the socket opens, how a session is checked. */
export interface ActionDeps {
  open: LinkDeps['open']
  checkSession(): Promise<SessionCheck>
  /** Called with every server frame after it was applied to the state. */
  onFrame?(frame: ServerFrame): void
}

export function createActions(state: ChatState, deps: Partial<ActionDeps> = {}) {
  const typingSentAt = new Map<string, number>()
  const pendingJoins = new Set<string>()
  let rateTimer: ReturnType<typeof setTimeout> | undefined
  let pageVisible = true

  const findRoom = (name: string) => state.rooms.value.find((r) => r.name === name)

  const link = createLink(
    { open: deps.open ?? createConnection, checkSession: deps.checkSession ?? checkSession, timers: realTimers },
    {
      onFrame(frame) {
        applyFrame(ctx, frame)
        deps.onFrame?.(frame)
      },
      onStatus(status, problem, retryAt) {
        batch(() => {
          state.link.value = status
          state.linkProblem.value = problem
          state.nextRetryAt.value = retryAt
        })
      },
      onDown() {
        batch(() => {
          state.outbox.value = outbox.requeueInFlight(state.outbox.value)
          for (const r of state.rooms.value) {
            r.status.value = 'joining'
            r.typing.value = {}
          }
          pendingJoins.clear()
        })
      },
      onEnded: (code) => showLogin(t(CLOSE_NOTICES[code] ?? 'notice.kicked'))
    }
  )

  const activity = createThrottle(() => {
    if (link.send({ type: 'activity' }) && state.limits.value?.idleActivity !== 'message') state.idleKickAt.value = 0
  }, ACTIVITY_INTERVAL_MS)

  /** Sends the next waiting message, one in flight at a time (so a refusal is matched to it). */
  function flush() {
    if (state.rateLimited.value) return
    const next = outbox.nextToSend(state.outbox.value, (room) => findRoom(room)?.status.value === 'joined')
    if (!next) return
    if (link.send({ type: 'message', room: next.room, text: next.text, cid: next.cid })) {
      state.outbox.value = outbox.markSending(state.outbox.value, next.cid)
    }
  }

  function rateLimit(ms: number) {
    clearTimeout(rateTimer)
    state.rateLimitedUntil.value = Date.now() + ms
    rateTimer = setTimeout(() => {
      state.rateLimitedUntil.value = 0
      flush()
    }, ms)
  }

  /** Joins a room we show, asking for everything after the last seq we hold. */
  function rejoin(name: string) {
    const r = findRoom(name)
    if (!r || r.status.value === 'joined') return
    const since = lastSeq(r.items.value)
    link.send(since > 0 ? { type: 'join', room: name, since } : { type: 'join', room: name })
  }

  /**
   * After a (re)connect: join every room we show, the lobby included (the server joins none by
   * itself), each with the last seq seen, so the server replays the gap once; a fresh room (a new
   * page's lobby, the widget's room) gets the recent history.
   */
  function resume() {
    for (const r of state.rooms.value) rejoin(r.name)
  }

  /** Shows another room: the draft typed here waits for this room, the new room's draft comes back. */
  function setCurrentRoom(name: string) {
    const from = state.currentRoom.value
    if (from === name) return
    const { [name]: restored = '', ...others } = state.drafts.value
    batch(() => {
      state.drafts.value = state.draft.value.trim() !== '' && findRoom(from) ? { ...others, [from]: state.draft.value } : others
      state.draft.value = restored
      state.composerError.value = null
      state.currentRoom.value = name
    })
  }

  /** Forgets a room locally (and its draft); messages still waiting for it are marked not sent. */
  function dropRoom(name: string, reason: string) {
    batch(() => {
      state.rooms.value = state.rooms.value.filter((r) => r.name !== name)
      state.outbox.value = outbox.failRoom(state.outbox.value, name, reason)
      const { [name]: _dropped, ...others } = state.drafts.value
      state.drafts.value = others
      if (state.currentRoom.value === name) setCurrentRoom(state.rooms.value[0]?.name ?? '')
    })
  }

  const ctx: FrameContext = {
    state,
    findRoom,
    pendingJoins,
    isVisible: () => pageVisible,
    send: (frame) => link.send(frame),
    flush,
    resume,
    rateLimit,
    openRoom: (name) => switchRoom(name),
    rejoin: (name, afterMs) => void setTimeout(() => rejoin(name), afterMs),
    dropRoom(name, reason) {
      dropRoom(name, reason)
      state.roomError.value = reason
    }
  }

  function reset() {
    clearTimeout(rateTimer)
    activity.cancel()
    typingSentAt.clear()
    pendingJoins.clear()
  }

  function showLogin(notice = '') {
    link.stop()
    const unsent = state.outbox.value.map((e) => e.text)
    reset()
    batch(() => {
      state.view.value = 'login'
      state.loginNotice.value = (notice + unsentNote(unsent)).trim()
      state.user.value = null
      state.rooms.value = []
      state.outbox.value = []
      state.directory.value = []
      state.draft.value = ''
      state.drafts.value = {}
      state.composerError.value = null
      state.roomError.value = ''
      state.rateLimitedUntil.value = 0
      state.idleKickAt.value = 0
      state.limits.value = null
    })
  }

  /** Shows the chat and connects; `home` is the first room (the page: lobby; the widget: its room). */
  function enterChat(username: string, home = LOBBY) {
    link.stop()
    reset()
    batch(() => {
      state.user.value = username
      state.loginNotice.value = ''
      state.rooms.value = [createRoomState(home)]
      state.currentRoom.value = home
      state.draft.value = ''
      state.drafts.value = {}
      state.pane.value = 'chat'
      state.view.value = 'chat'
    })
    link.start()
  }

  function switchRoom(name: string) {
    const r = findRoom(name)
    batch(() => {
      setCurrentRoom(name)
      state.pane.value = 'chat'
      state.roomError.value = ''
      if (r) {
        r.unread.value = 0
        r.mentions.value = 0
      }
    })
  }

  function roomOp(type: 'join' | 'create', raw: string): boolean {
    const name = raw.trim().toLowerCase()
    if (!ROOM_NAME.test(name)) {
      state.roomError.value = t('roomError.name')
      return false
    }
    if (findRoom(name)) {
      switchRoom(name)
      return true
    }
    if (!link.send({ type, room: name })) {
      state.roomError.value = t('roomError.offline')
      return false
    }
    pendingJoins.add(name)
    state.roomError.value = ''
    return true
  }

  return {
    enterChat,
    /** On page load: straight to the chat with a live session, else the login view. */
    async start() {
      try {
        const me = await api.getMe()
        if (me) enterChat(me.username)
        else showLogin()
      } catch {
        showLogin(t('form.network'))
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
    /** Ends the session (all tabs); unlike leaving a room. */
    async logout() {
      link.stop()
      try {
        await api.logout()
      } finally {
        state.outbox.value = []
        showLogin()
      }
    },
    /** Queues the draft for the current room and sends it when the link allows (offline drafting works). */
    send(): boolean {
      if (!state.canSend.value) return false
      const room = state.currentRoom.value
      const text = state.draft.value.trim()
      batch(() => {
        state.outbox.value = outbox.enqueue(state.outbox.value, newCid(), room, text)
        state.draft.value = ''
        state.composerError.value = null
      })
      flush()
      return true
    },
    /** A "not sent" message: try again (same cid), put back into the composer, or drop it. */
    retryMessage(cid: string) {
      state.outbox.value = outbox.requeue(state.outbox.value, cid)
      flush()
    },
    editMessage(cid: string) {
      const entry = state.outbox.value.find((e) => e.cid === cid)
      if (!entry) return
      batch(() => {
        if (state.draft.value.trim() === '') state.draft.value = entry.text
        state.outbox.value = outbox.remove(state.outbox.value, cid)
      })
    },
    discardMessage(cid: string) {
      state.outbox.value = outbox.remove(state.outbox.value, cid)
    },
    /** The composer changed: tell the room we are typing (throttled), never while offline. */
    typing() {
      const room = state.currentRoom.value
      if (state.draft.value.trim() === '' || state.link.value !== 'open') return
      const now = Date.now()
      if (now - (typingSentAt.get(room) ?? 0) < TYPING_INTERVAL_MS) return
      if (link.send({ type: 'typing', room })) typingSentAt.set(room, now)
    },
    dismissError() {
      state.composerError.value = null
    },
    joinRoom: (name: string) => roomOp('join', name),
    createRoom: (name: string) => roomOp('create', name),
    leaveRoom(name: string) {
      dropRoom(name, t('room.left'))
      link.send({ type: 'leave', room: name })
      link.send({ type: 'rooms' })
    },
    switchRoom,
    refreshRooms() {
      link.send({ type: 'rooms' })
    },
    /** Scroll-back: asks for the page of messages before the oldest one shown. */
    loadOlder(name: string) {
      const r = findRoom(name)
      if (!r || r.loadingHistory.value || !r.more.value) return
      const before = firstSeq(r.items.value)
      if (before <= 1) {
        r.more.value = false
        return
      }
      if (link.send({ type: 'history', room: name, before, limit: HISTORY_PAGE })) r.loadingHistory.value = true
    },
    /** A large room's next page of names (the member pane asks for the first one itself, once). */
    loadMembers(name: string) {
      const r = findRoom(name)
      if (!r) return
      r.membersAsked.value = true
      const frame = membersRequest(r)
      if (frame && link.send(frame)) r.membersLoading.value = true
    },
    /** Key presses, pointer, scrolling and focus on the page (throttled to one frame per 5 s). */
    reportActivity() {
      activity.poke()
    },
    /** The idle warning's button: activity now (it counts unless only messages do). */
    stillHere() {
      if (link.send({ type: 'activity' }) && state.limits.value?.idleActivity !== 'message') state.idleKickAt.value = 0
    },
    retryNow() {
      link.retryNow()
    },
    setOffline(offline: boolean) {
      link.setOffline(offline)
    },
    setPageVisible(visible: boolean) {
      pageVisible = visible
      const r = state.room.value
      if (visible && r) {
        r.unread.value = 0
        r.mentions.value = 0
      }
    },
    showPane(pane: 'rooms' | 'chat' | 'members') {
      state.pane.value = pane
    }
  }
}

export type Actions = ReturnType<typeof createActions>

export const ActionsContext = createContext<Actions | null>(null)

export function useActions(): Actions {
  const actions = useContext(ActionsContext)
  if (!actions) throw new Error('useActions() needs an ActionsContext provider')
  return actions
}
