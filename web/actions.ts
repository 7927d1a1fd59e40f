// What the user and the server do to the state: sign in/out, rooms, the socket's life cycle
// (link.ts); sending through the outbox is composer.ts. Server frames are applied in frames.ts.
import { batch } from '@preact/signals'
import { HISTORY_PAGE, TYPING_INTERVAL_MS } from '../lib/chat/protocol/protocol.ts'
import { createComposer } from './composer.ts'
import { checkSession, CLOSE_NOTICES, unsentNote } from './session.ts'
import * as api from './api.ts'
import { createConnection, type Connection, type ConnectionHandlers, type FirstJoin } from './connection.ts'
import { applyFrame, type FrameContext } from './frames.ts'
import { createLink, type SessionCheck } from './link.ts'
import * as outbox from './outbox.ts'
import { membersRequest } from './members.ts'
import { LOBBY, ROOM_NAME, type ServerFrame } from './protocol.ts'
import { createRoomState } from './room-state.ts'
import type { ChatState } from './state.ts'
import { createThrottle, realTimers } from './throttle.ts'
import { firstSeq, lastSeq } from './timeline.ts'
import { t } from './i18n/index.ts'
import { requiredContext } from './context.ts'


/** Activity frames at most this often (rooms protocol). */
export const ACTIVITY_INTERVAL_MS = 5000
/** Typing frames at most this often per room (the server drops extra ones anyway); history pages of this size. */
export { HISTORY_PAGE, TYPING_INTERVAL_MS }

/** What another entry point (the widget iframe) may swap: how the socket opens, how a session is checked. */
export interface ActionDeps {
  /** Opens a socket whose upgrade asks for `join` (joined with the welcome). */
  open(handlers: ConnectionHandlers, join?: FirstJoin): Connection
  /** False: the upgrade asks for no room, every room is a `join` frame (the widget's bare /ws). */
  joinInUpgrade: boolean
  checkSession(): Promise<SessionCheck>
  /** Called with every server frame after it was applied to the state. */
  onFrame?(frame: ServerFrame): void
}

export function createActions(state: ChatState, deps: Partial<ActionDeps> = {}) {
  const pendingJoins = new Set<string>()
  let pageVisible = true

  const findRoom = (name: string) => state.rooms.value.find((r) => r.name === name)
  const openSocket = deps.open ?? createConnection
  /** The room the current socket's upgrade asked for: resume() does not ask for it again. */
  let askedInUpgrade: string | undefined

  /** The room on screen (else the first shown) goes in the upgrade, so its `joined` comes with the welcome. */
  function firstJoin(): FirstJoin | undefined {
    const r = deps.joinInUpgrade === false ? undefined : (findRoom(state.currentRoom.value) ?? state.rooms.value[0])
    askedInUpgrade = r?.name
    return r && { room: r.name, since: lastSeq(r.items.value) }
  }

  const link = createLink(
    { open: (handlers) => openSocket(handlers, firstJoin()), checkSession: deps.checkSession ?? checkSession, timers: realTimers },
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

  const composer = createComposer(state, (frame) => link.send(frame), findRoom)
  const { flush, rateLimit } = composer

  const activity = createThrottle(() => {
    if (link.send({ type: 'activity' }) && state.limits.value?.idleActivity !== 'message') state.idleKickAt.value = 0
  }, ACTIVITY_INTERVAL_MS)

  /** Joins a room we show, asking for everything after the last seq we hold. */
  function rejoin(name: string) {
    const r = findRoom(name)
    if (!r || r.status.value === 'joined') return
    const since = lastSeq(r.items.value)
    link.send(since > 0 ? { type: 'join', room: name, since } : { type: 'join', room: name })
  }

  /**
   * After a (re)connect: join every room we show (the server joins none by itself) but the one the
   * upgrade asked for, each with the last seq seen, so the server replays the gap once; a fresh
   * room (a new page's lobby, the widget's room) gets the recent history.
   */
  function resume() {
    for (const r of state.rooms.value) if (r.name !== askedInUpgrade) rejoin(r.name)
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
    composer.reset()
    activity.cancel()
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
    ...composer.actions,
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

/** The actions for every component below its provider. */
export const [ActionsContext, useActions] = requiredContext<Actions>('useActions')
