// The message pipeline: a message gets the room's next seq (a resent cid is dropped), is appended
// to the history, made durable by one group commit per turn with everything accepted before it,
// and only then published on the bus, encoded once, to the members that did not get it with `joined`.
import type { HistoryRecord } from '../history/ports.js'
import { createGroupCommit } from '../../shared/group-writer.js'
import { encodeError, encodeMessage, messageFrame } from '../protocol/server-frames.js'
import type { IdGenerator } from './message-id.js'
import type { Room, RoomClient, RoomCore } from './room-core.js'

// A message, a room created by a client (no record), or a log the server started (neither) waiting
// for the group commit; plain data, no closure per message.
interface Pending {
  room: Room
  record?: HistoryRecord
  sender?: RoomClient
}

export interface PipelineOptions {
  ids: IdGenerator
  /** The most seqs per room whose cids are remembered (see RoomHubOptions.cidWindow). */
  cidWindow: number
  /** Told about messages that could not be made durable (they are dropped; senders get `not_stored`). */
  onLost?: (room: string, count: number) => void
  /** A new room's log was written (`stored`), or could not be. */
  onCreated(room: Room, stored: boolean): void
}

export interface Pipeline {
  /** Accepts a message of a member (stamped `now`); a repeated cid is dropped. */
  post(client: RoomClient, room: Room, text: string, cid: string | undefined, now: number): void
  /** A new room's log goes out with the next group commit; `onCreated` follows it. */
  create(room: Room, client: RoomClient): void
  /** Cids of records stored before a restart: resends of them are still recognised. */
  remember(room: Room, record: Pick<HistoryRecord, 'seq' | 'user' | 'cid'>): void
  /** A log the server started itself (a new lobby, a site room) goes out with the next group commit. */
  started(room: Room): void
  /** Resolves when no group commit is running or queued. */
  settled(): Promise<void>
}

const NOT_STORED = encodeError('not_stored')

export function createPipeline(core: RoomCore, opts: PipelineOptions): Pipeline {
  const { store, rooms, bus } = core
  const { ids, cidWindow } = opts

  // This node's share of a durable message: one encoded buffer, to the members that did not get it
  // with `joined` and are not catching up (their replay reads it from the history).
  bus.subscribe((name, seq, data) => {
    const room = rooms.get(name)
    if (!room) return
    for (const member of room.members) {
      if (seq <= member.joinSeq || member.replays > 0) continue
      member.client.send(data)
      member.sentSeq = seq
    }
  })

  // Cids are kept in seq order; those of seqs out of the window go (a resend of them is a new message).
  function remember(room: Room, record: Pick<HistoryRecord, 'seq' | 'user' | 'cid'>) {
    room.cids.set(`${record.user}\0${record.cid}`, record.seq)
    const oldest = record.seq - cidWindow
    for (const [key, seq] of room.cids) {
      if (seq > oldest) break
      room.cids.delete(key)
    }
  }

  // One group commit per turn (lib/shared/group-writer.ts): everything accepted before it runs
  // shares one write and fsync per log.
  const commits = createGroupCommit<Pending>(async (batch) => {
    let failed: string[]
    try {
      failed = await store.sync()
    } catch {
      // A store that rejects (it could not say which logs were written): every sender of this
      // batch hears `not_stored`, and the server keeps running.
      failed = [...new Set(batch.map((p) => p.room.name))]
    }
    deliver(batch, failed)
  })

  // Each durable message goes on the bus as one encoded Buffer (framed once, written once per socket
  // per turn by the bounded output); its sender alone hears of one that could not be stored.
  function deliver(batch: Pending[], failed: string[]) {
    for (const { room, record, sender } of batch) {
      if (!record) {
        if (sender) opts.onCreated(room, !failed.includes(room.name))
        continue
      }
      if (failed.length > 0 && failed.includes(room.name)) {
        const key = `${record.user}\0${record.cid}`
        if (record.cid !== undefined && room.cids.get(key) === record.seq) room.cids.delete(key)
        sender!.send(NOT_STORED)
        continue
      }
      const published = bus.publish(room.name, record.seq, encodeMessage(messageFrame(room.name, record)))
      if (published instanceof Promise) published.catch(() => opts.onLost?.(room.name, 1))
    }
    for (const name of failed) {
      const count = batch.filter((p) => p.room.name === name && p.record).length
      if (count > 0) opts.onLost?.(name, count)
    }
  }

  return {
    post(client, room, text, cid, now) {
      const record: HistoryRecord = { seq: room.nextSeq + 1, id: '', user: client.user, text, ts: now }
      if (cid !== undefined) {
        // A resend (after a reconnect) of a message already accepted is neither stored nor broadcast again.
        if (room.cids.has(`${client.user}\0${cid}`)) return
        record.cid = cid
        remember(room, record)
      }
      room.nextSeq = record.seq
      record.id = ids.next()
      core.state.touch(room.name, now)
      store.append(room.name, record)
      commits.add({ room, record, sender: client })
    },
    create(room, client) {
      commits.add({ room, sender: client })
    },
    remember,
    started: (room) => commits.add({ room }),
    settled: () => commits.settled()
  }
}
