// Shared set-up of the room hub's unit tests (test/unit/room-hub-*.test.ts): a fake socket, a hub over a
// temporary file history, presence timers that fire only when told.
import type { Test } from 'tap'
import { openFileHistoryStore } from '../../lib/chat/history/file-history-store.js'
import { createRoomHub, type PresenceTimer, type RoomClient, type RoomHubOptions } from '../../lib/chat/rooms/room-hub.js'

export function fakeClient(user: string) {
  const client = {
    user,
    received: [] as string[],
    buffers: [] as Buffer[],
    send(data: Buffer) {
      this.buffers.push(data)
      this.received.push(String(data))
    },
    /** Parsed frames received so far (and forgets them). */
    take(type?: string): any[] {
      const frames = this.received.map((d) => JSON.parse(d))
      this.received = []
      return type ? frames.filter((f) => f.type === type) : frames
    }
  }
  return client satisfies RoomClient
}

export async function setup(t: Test, opts: Partial<RoomHubOptions> & { dir?: string; limit?: number } = {}) {
  const dir = opts.dir ?? t.testdir()
  const store = await openFileHistoryStore(dir, { limit: opts.limit ?? 100 })
  const clock = { now: 1_000_000 }
  const hub = createRoomHub({ store, maxUsers: 5, maxRooms: 4, ttlMs: 60_000, clock: () => clock.now, ...opts })
  t.teardown(async () => {
    await hub.drain()
    await store.close()
  })
  return { hub, store, clock, dir }
}

/** Presence timers that fire only when the test says so. */
export function fakeTimer() {
  const pending = new Map<number, { flush: () => void; ms: number }>()
  let id = 0
  const timer: PresenceTimer & { pending: typeof pending; fire(): void } = {
    pending,
    set(flush, ms) {
      pending.set(++id, { flush, ms })
      return id
    },
    clear(handle) {
      pending.delete(handle as number)
    },
    fire() {
      const due = [...pending.values()]
      pending.clear()
      for (const { flush } of due) flush()
    }
  }
  return timer
}

export const presenceOf = (c: ReturnType<typeof fakeClient>) => c.take('presence').map((f) => `${f.user} ${f.event} ${f.online}`)

export async function batched(t: Test) {
  const timer = fakeTimer()
  const ctx = await setup(t, { presenceFlushMs: 250, presenceTimer: timer, maxUsers: 10 })
  return { ...ctx, timer }
}

// Large rooms (MEMBER_LIST_MAX): counts instead of names, names in pages, listed again at half.
export async function large(t: Test, memberListMax = 2) {
  const timer = fakeTimer()
  const ctx = await setup(t, { presenceFlushMs: 250, onlineCountMs: 1000, memberListMax, presenceTimer: timer, maxUsers: 1000 })
  return { ...ctx, timer }
}
