// The room hub's answers a socket pulls as it has room: `joined` with the recent history, or with
// `since` its catch-up (replay up to the live edge); `history` pages, `members` pages and the
// `rooms` list. Nothing is read from the history before the socket can take it (catch-up.ts).
import type { FrameSource } from '../gateway/bounded-output.js'
import type { HistoryRecord } from '../history/ports.js'
import { JOIN_HISTORY } from '../protocol/protocol.js'
import { encodeRooms, messageFrame } from '../protocol/server-frames.js'
import type { RoomsFrame } from '../../../schemas/room-frames.js'
import { catchUp, historyPage, once, recentJoined, type JoinedHead } from './catch-up.js'
import type { Member, Room, RoomClient, RoomCore } from './room-core.js'

export interface JoinReplay {
  /** `joined` (members as of now), then with `since` the replay up to the room's live edge, as one paced reply. */
  sendJoined(client: RoomClient, room: Room, member: Member, since: number | undefined): void
  /** A `history` page: messages with seq < before, newest last. */
  history(client: RoomClient, room: string, before: number, limit: number): void
  /** One frame already encoded (a `members` page), paced like the other answers. */
  answer(client: RoomClient, data: Buffer): void
  list(client: RoomClient, rooms: RoomsFrame['rooms']): void
}

/** `maxPageBytes`: the most bytes of messages one `joined` or `history` frame carries. */
export function createJoinReplay(core: RoomCore, maxPageBytes: number): JoinReplay {
  const { store, presence } = core

  // Other frames go out behind a paced reply (the socket's output keeps the order).
  function sendJoined(client: RoomClient, room: Room, member: Member, since: number | undefined) {
    // `members` below covers every presence event so far: queued ones before it are not its news.
    member.presenceGen = room.presenceGen
    const name = room.name
    const head: JoinedHead = {
      room: name,
      cap: core.state.get(name)!.cap,
      online: presence.online(name),
      // A large room's names come in pages on request: the answer stays small whatever its size.
      members: room.large ? [] : [...presence.users(name)],
      ...(room.large ? { large: true as const } : {})
    }
    const toFrame = (record: HistoryRecord) => messageFrame(name, record)
    if (since === undefined) return streamTo(client, recentJoined(store, name, head, member.joinSeq, JOIN_HISTORY, toFrame, maxPageBytes))
    // A resume replays up to the room's live edge, then the member gets live messages again.
    const onLive = (seq: number) => {
      member.replays--
      member.joinSeq = Math.max(member.joinSeq, seq)
      member.sentSeq = Math.max(member.sentSeq, seq)
    }
    member.replays++
    const { joinSeq: upTo, sentSeq: sent } = member
    streamTo(client, catchUp({ store, room: name, toFrame, head, upTo, sent, since, recent: JOIN_HISTORY, maxPageBytes, onLive }))
  }

  // Test clients without a paced output get the whole reply at once.
  function streamTo(client: RoomClient, source: FrameSource) {
    if (client.stream) return client.stream(source)
    for (let next = source(); next !== undefined; next = source()) {
      if (next instanceof Promise) {
        next.then(
          (data) => {
            if (data) client.send(data)
            if (data) streamTo(client, source)
          },
          () => {}
        )
        return
      }
      client.send(next)
    }
  }

  return {
    sendJoined,
    history(client, name, before, limit) {
      streamTo(client, historyPage(store, name, before, limit, (record) => messageFrame(name, record), maxPageBytes))
    },
    answer(client, data) {
      streamTo(client, once(data))
    },
    list(client, rooms) {
      streamTo(client, once(encodeRooms(rooms)))
    }
  }
}
