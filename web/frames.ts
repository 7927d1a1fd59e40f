// Applies one server frame to the page state: rooms joined and resumed, messages merged once by seq,
// presence and member lists (large rooms: counts and pages, members.ts), typing, history pages, idle
// warnings, and refusals matched to what caused them.
import { batch } from '@preact/signals'
import { alertMessage } from './alerts.ts'
import { applyMembers, dropMemberList, listMembers } from './members.ts'
import { mentions } from './message-format.ts'
import * as outbox from './outbox.ts'
import { type ClientFrame, type ErrorFrame, type ServerFrame } from './protocol.ts'
import { createRoomState, type RoomState } from './room-state.ts'
import type { ChatState } from './state.ts'
import { addNotice, firstSeq, lastSeq, mergeMessages } from './timeline.ts'
import { codeText, t, type MessageKey } from './i18n/index.ts'

/** How long "x is typing" shows after the last typing frame. */
export const TYPING_SHOW_MS = 3000
/** A message the server could not store is sent again after this long. */
export const NOT_STORED_RETRY_MS = 1000

export interface FrameContext {
  state: ChatState
  findRoom(name: string): RoomState | undefined
  /** Rooms asked for with join/create and not answered yet. */
  pendingJoins: Set<string>
  isVisible(): boolean
  send(frame: ClientFrame): boolean
  flush(): void
  resume(): void
  rateLimit(ms: number): void
  openRoom(name: string): void
  /** Sends the resume `join` of a room again after `afterMs`. */
  rejoin(name: string, afterMs: number): void
  /** Removes a room the server will not let us back into; its queued messages are marked not sent. */
  dropRoom(name: string, reason: string): void
}

/** Refusals of a join or create, shown in the room list (with the page's own advice where it has some). */
const ROOM_ERRORS: Partial<Record<string, MessageKey>> = {
  room_full: 'error.room_full',
  no_such_room: 'roomError.no_such_room',
  room_exists: 'roomError.room_exists',
  too_many_rooms: 'error.too_many_rooms',
  room_quota: 'error.room_quota',
  forbidden: 'error.forbidden'
}

/** The catalogue's text for an error frame's code, else the server's message (a code newer than this page). */
export const errorText = (code: string, fallback: string) => codeText('error', code, fallback)

export function applyFrame(ctx: FrameContext, frame: ServerFrame): void {
  const { state } = ctx
  switch (frame.type) {
    case 'welcome':
      batch(() => {
        state.user.value = frame.user
        state.limits.value = frame.limits
        state.idleKickAt.value = 0
      })
      ctx.resume()
      ctx.send({ type: 'rooms' })
      return
    case 'joined': {
      let r = ctx.findRoom(frame.room)
      if (!r) {
        // Not asked for: a resume join answered before the leave we sent after it (the server
        // reads frames in order, so that leave takes us out): nothing to show.
        if (!ctx.pendingJoins.delete(frame.room)) return
        r = createRoomState(frame.room)
        state.rooms.value = [...state.rooms.value, r]
        ctx.openRoom(frame.room)
      }
      const room = r
      const me = state.user.value
      // On a resume, messages that arrive with `joined` are as unread as live ones.
      const known = new Set(room.items.value.map((i) => i.seq))
      const fresh = !room.joinedBefore ? [] : frame.messages.filter((m) => !known.has(m.seq) && m.user !== me)
      batch(() => {
        if (state.currentRoom.value !== room.name || !ctx.isVisible()) {
          room.unread.value += fresh.length
          room.mentions.value += fresh.filter((m) => mentions(m.text, me)).length
        }
        room.cap.value = frame.cap
        // A large room's `joined` has no names (pages come on demand), and a resume drops stale pages.
        if (frame.large) dropMemberList(room, frame.online)
        else listMembers(room, frame.members, frame.online)
        room.items.value = mergeMessages(frame.reset ? [] : room.items.value, frame.messages)
        room.more.value = firstSeq(room.items.value) > 1
        room.status.value = 'joined'
        room.joinedBefore = true
      })
      ctx.flush()
      return
    }
    case 'message':
      return onMessage(ctx, frame)
    case 'presence': {
      const r = ctx.findRoom(frame.room)
      if (!r) return
      // A presence sent just before the room went large: its count is news, its name is not listed.
      if (r.large.value) {
        r.online.value = frame.online
        return
      }
      const join = frame.event === 'join'
      // Idempotent: a join of someone listed or a leave of someone absent is old news (presence is
      // batched, so a frame may describe a change our `joined` members already showed).
      const news = r.members.value.includes(frame.user) !== join
      batch(() => {
        r.online.value = frame.online
        if (!news) return
        r.members.value = join ? [...r.members.value, frame.user].sort() : r.members.value.filter((m) => m !== frame.user)
        if (frame.user !== state.user.value) {
          r.items.value = addNotice(r.items.value, t(frame.event === 'join' ? 'presence.join' : 'presence.leave', { user: frame.user }), Date.now())
        }
      })
      return
    }
    case 'online': {
      const r = ctx.findRoom(frame.room)
      if (!r) return
      // A listed room that grew: its list goes stale from now on (no more presence), so it goes.
      if (frame.large && !r.large.value) dropMemberList(r, frame.online)
      else r.online.value = frame.online
      return
    }
    case 'members': {
      const r = ctx.findRoom(frame.room)
      if (r) applyMembers(r, frame)
      return
    }
    case 'typing': {
      const r = ctx.findRoom(frame.room)
      if (!r || frame.user === state.user.value) return
      const now = Date.now()
      r.typing.value = { ...pruneTyping(r.typing.value, now), [frame.user]: now + TYPING_SHOW_MS }
      setTimeout(() => (r.typing.value = pruneTyping(r.typing.value, Date.now())), TYPING_SHOW_MS + 50)
      return
    }
    case 'rooms':
      state.directory.value = frame.rooms
      return
    case 'history': {
      const r = ctx.findRoom(frame.room)
      if (!r) return
      batch(() => {
        r.items.value = mergeMessages(r.items.value, frame.messages)
        r.more.value = frame.more
        r.loadingHistory.value = false
      })
      return
    }
    case 'left':
      // An operator closed the room: it is gone for everyone, with its history.
      if (frame.reason === 'closed' && ctx.findRoom(frame.room)) {
        const notice = t('room.closed', { room: frame.room })
        ctx.dropRoom(frame.room, notice)
        state.roomError.value = notice
      }
      return
    case 'idle_warning':
      state.idleKickAt.value = Date.now() + frame.kickInMs
      return
    case 'error':
      return onError(ctx, frame)
  }
}

function pruneTyping(typing: Readonly<Record<string, number>>, now: number): Record<string, number> {
  const kept: Record<string, number> = {}
  for (const [user, until] of Object.entries(typing)) if (until > now) kept[user] = until
  return kept
}

function onMessage(ctx: FrameContext, frame: Extract<ServerFrame, { type: 'message' }>) {
  const { state } = ctx
  const r = ctx.findRoom(frame.room)
  const own = frame.user === state.user.value
  batch(() => {
    // Ours, with the cid we sent: delivered, whether live or replayed after a reconnect.
    if (own) {
      state.outbox.value = outbox.acknowledge(state.outbox.value, frame.cid)
      state.idleKickAt.value = 0
    }
    if (!r) return
    const before = r.items.value
    r.items.value = mergeMessages(before, [frame])
    if (r.items.value === before) return // seen already
    if (frame.user in r.typing.value) r.typing.value = pruneTyping({ ...r.typing.value, [frame.user]: 0 }, 0)
    if (!own && (state.currentRoom.value !== r.name || !ctx.isVisible())) {
      alertMessage(state.alerts.value, r.name, frame.user, frame.text)
      r.unread.value++
      if (mentions(frame.text, state.user.value)) r.mentions.value++
    }
  })
  ctx.flush()
}

function onError(ctx: FrameContext, frame: ErrorFrame) {
  const { state } = ctx
  // not_stored naming a room: the room's creation could not be written; a message's names none.
  const roomKey = frame.code === 'not_stored' && frame.room !== undefined ? 'roomError.not_stored' : ROOM_ERRORS[frame.code]
  if (roomKey) {
    const roomError = t(roomKey)
    const r = frame.room === undefined ? undefined : ctx.findRoom(frame.room)
    if (frame.room) ctx.pendingJoins.delete(frame.room)
    // A resume that cannot happen (the room vanished or filled up meanwhile): the room goes.
    if (r && r.status.value === 'joining') return ctx.dropRoom(r.name, t('roomError.dropped', { room: r.name, reason: roomError }))
    state.roomError.value = roomError
    return
  }
  const entry = outbox.inFlight(state.outbox.value)
  const forRoomOp = frame.room !== undefined && ctx.pendingJoins.has(frame.room)
  if (frame.code === 'rate_limited') {
    const wait = frame.retryInMs ?? 1000
    if (frame.room === undefined) {
      // The socket's frame budget refuses any frame before reading it, so no room is named: the
      // message in flight may be the one refused. It waits and goes again with the same cid (the
      // server drops a repeated cid, and the broadcast of an accepted one clears it first).
      // Without one in flight, it was the room list (`rooms`) or typing: just not refreshed.
      if (entry) {
        state.outbox.value = outbox.requeue(state.outbox.value, entry.cid)
        return ctx.rateLimit(wait)
      }
      return
    }
    if (entry && entry.room === frame.room && !forRoomOp) {
      // Refused for speed: it stays queued (same cid) and goes out when the wait is over.
      state.outbox.value = outbox.requeue(state.outbox.value, entry.cid)
      return ctx.rateLimit(wait)
    }
    const r = ctx.findRoom(frame.room)
    // A resume join refused for speed: asked again once the wait is over.
    if (r && r.status.value === 'joining' && !forRoomOp) return ctx.rejoin(r.name, wait)
    // A history or members page refused for speed (which one, the frame does not say): the user
    // may ask again; an answer still coming is applied all the same.
    if (r && (r.loadingHistory.value || r.membersLoading.value) && !forRoomOp) {
      batch(() => {
        r.loadingHistory.value = false
        r.membersLoading.value = false
      })
      return
    }
    ctx.pendingJoins.delete(frame.room)
    state.roomError.value = t('roomError.tooFast', { seconds: Math.ceil(wait / 1000) })
    return
  }
  if (frame.code === 'not_stored' && entry) {
    // The server could not store it: nothing was posted, so the same cid goes out again shortly.
    state.outbox.value = outbox.requeue(state.outbox.value, entry.cid)
    setTimeout(ctx.flush, NOT_STORED_RETRY_MS)
    return
  }
  if (frame.code === 'not_in_room' && !entry && frame.room && ctx.findRoom(frame.room)) {
    // The server no longer has us in a room we show: join it again, asking for what we missed.
    const since = lastSeq(ctx.findRoom(frame.room)!.items.value)
    ctx.send(since > 0 ? { type: 'join', room: frame.room, since } : { type: 'join', room: frame.room })
    return
  }
  if (entry) {
    state.outbox.value = outbox.markFailed(state.outbox.value, entry.cid, errorText(frame.code, frame.message))
    ctx.flush()
    return
  }
  state.composerError.value = { code: frame.code, message: errorText(frame.code, frame.message) }
}
