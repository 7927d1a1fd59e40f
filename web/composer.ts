// Sending: what the user writes waits in the outbox and goes out one message at a time (so a
// refusal is matched to it), held back while the server's rate limit lasts; typing notices are
// throttled per room. The outbox's pure rules are in outbox.ts.
import { batch } from '@preact/signals'
import { TYPING_INTERVAL_MS } from '../lib/chat/protocol/protocol.ts'
import * as outbox from './outbox.ts'
import type { ClientFrame } from './protocol.ts'
import type { RoomState } from './room-state.ts'
import type { ChatState } from './state.ts'

const newCid = () => 'c-' + crypto.randomUUID()

export function createComposer(state: ChatState, send: (frame: ClientFrame) => boolean, findRoom: (name: string) => RoomState | undefined) {
  const typingSentAt = new Map<string, number>()
  let rateTimer: ReturnType<typeof setTimeout> | undefined

  /** Sends the next waiting message, one in flight at a time. */
  function flush() {
    if (state.rateLimited.value) return
    const next = outbox.nextToSend(state.outbox.value, (room) => findRoom(room)?.status.value === 'joined')
    if (!next) return
    if (send({ type: 'message', room: next.room, text: next.text, cid: next.cid })) {
      state.outbox.value = outbox.markSending(state.outbox.value, next.cid)
    }
  }

  /** The server refused for rate: nothing goes out for `ms`, then the queue flushes. */
  function rateLimit(ms: number) {
    clearTimeout(rateTimer)
    state.rateLimitedUntil.value = Date.now() + ms
    rateTimer = setTimeout(() => {
      state.rateLimitedUntil.value = 0
      flush()
    }, ms)
  }

  return {
    flush,
    rateLimit,
    /** Signed out or signed in anew: no timer, no throttle state left. */
    reset() {
      clearTimeout(rateTimer)
      typingSentAt.clear()
    },
    /** The user's actions on the composer. */
    actions: {
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
        if (send({ type: 'typing', room })) typingSentAt.set(room, now)
      },
      dismissError() {
        state.composerError.value = null
      }
    }
  }
}
