// The chat hub: who is connected, by session and user, for session-wide frames and closes.
// Rooms and messages are the room hub's (lib/chat/rooms/room-hub.ts). In memory today; a Redis-backed hub
// can implement the same interface for cluster mode.

/** One connected socket, as the hub sees it: no framework or socket types. */
export interface ChatClient {
  readonly user: string
  /** What per-user limits count under (lib/chat/gateway/chat-frames.ts limitKeyOf): the user, or a guest's site and address. */
  readonly limitKey: string
  readonly sessionId: string
  readonly room: string
  /** One encoded frame; the same buffer goes to every recipient of a fan-out. */
  send(data: Buffer): void
  close(code: number, reason: string): void
}

export interface ChatHub {
  join(client: ChatClient): void
  /** Removes a client; returns how many clients its session still has. */
  leave(client: ChatClient): number
  /** One encoded frame (lib/chat/protocol/server-frames.ts) to every socket of a session. */
  sendToSession(sessionId: string, data: Buffer): void
  closeSession(sessionId: string, code: number, reason: string): number
  closeAll(code: number, reason: string): void
  /** How many clients a limit key (a user; a site's guests from one address) has, over all sessions and rooms. */
  countUser(limitKey: string): number
  readonly size: number
}

export function createMemoryHub(): ChatHub {
  const rooms = new Map<string, Set<ChatClient>>()
  const bySession = new Map<string, Set<ChatClient>>()
  const byUser = new Map<string, Set<ChatClient>>()

  const add = <K>(map: Map<K, Set<ChatClient>>, key: K, client: ChatClient) => {
    let set = map.get(key)
    if (!set) map.set(key, (set = new Set()))
    set.add(client)
  }
  const remove = <K>(map: Map<K, Set<ChatClient>>, key: K, client: ChatClient): number => {
    const set = map.get(key)
    if (!set) return 0
    set.delete(client)
    if (set.size === 0) map.delete(key)
    return set.size
  }
  // Encoded once per fan-out (by the caller's typed encoder): N sockets hold one buffer, not N copies.
  const sendAll = (clients: Iterable<ChatClient>, data: Buffer) => {
    for (const client of clients) client.send(data)
  }
  let size = 0

  return {
    join(client) {
      add(rooms, client.room, client)
      add(bySession, client.sessionId, client)
      add(byUser, client.limitKey, client)
      size++
    },
    leave(client) {
      if (!rooms.get(client.room)?.has(client)) return bySession.get(client.sessionId)?.size ?? 0
      remove(rooms, client.room, client)
      remove(byUser, client.limitKey, client)
      size--
      return remove(bySession, client.sessionId, client)
    },
    sendToSession(sessionId, data) {
      sendAll(bySession.get(sessionId) ?? [], data)
    },
    closeSession(sessionId, code, reason) {
      const clients = [...(bySession.get(sessionId) ?? [])]
      for (const client of clients) client.close(code, reason)
      return clients.length
    },
    closeAll(code, reason) {
      for (const clients of [...rooms.values()]) for (const client of [...clients]) client.close(code, reason)
    },
    countUser(limitKey) {
      return byUser.get(limitKey)?.size ?? 0
    },
    get size() {
      return size
    }
  }
}
