// A room's members under both regimes of docs/protocol.md "Large rooms": a listed room keeps the
// whole list (from `joined`, `presence`, or a `members` frame with large:false); a large room keeps
// the server's count and the pages of names loaded so far, asked for one at a time by offset.
import { batch } from '@preact/signals'
import type { ClientFrame, MembersFrame } from './protocol.ts'
import type { RoomState } from './room-state.ts'

/** A listed room: `users` is everyone, replacing whatever we held (a large room's pages too). */
export function listMembers(r: RoomState, users: readonly string[], online: number) {
  batch(() => {
    r.large.value = false
    r.members.value = [...users].sort()
    r.online.value = online
    r.membersNext.value = 0
    r.membersMore.value = false
    r.membersLoading.value = false
    r.membersAsked.value = false
  })
}

/** A large room (joined as one, or a listed room that grew): the list goes, pages come on demand. */
export function dropMemberList(r: RoomState, online: number) {
  batch(() => {
    r.large.value = true
    r.members.value = []
    r.online.value = online
    r.membersNext.value = 0
    r.membersMore.value = true
    r.membersLoading.value = false
    r.membersAsked.value = false
  })
}

/** The `members` frame for a large room's next page; null when listed, one is on its way, or all are in. */
export function membersRequest(r: RoomState): Extract<ClientFrame, { type: 'members' }> | null {
  if (!r.large.value || r.membersLoading.value || !r.membersMore.value) return null
  const offset = r.membersNext.value
  return offset > 0 ? { type: 'members', room: r.name, offset } : { type: 'members', room: r.name }
}

/** A `members` frame: the whole list, or a large room's page appended (each name once). */
export function applyMembers(r: RoomState, frame: MembersFrame) {
  if (!frame.large) return listMembers(r, frame.users, frame.online)
  batch(() => {
    if (!r.large.value) dropMemberList(r, frame.online)
    r.online.value = frame.online
    // Only the page we asked for next: an answer to a request made before the list was dropped
    // (the room went listed and large again meanwhile) would put old names after a gap.
    if (frame.offset !== r.membersNext.value) return
    // Pages are snapshots of a changing room: a name may show up on two of them.
    const seen = new Set(r.members.value)
    r.members.value = [...r.members.value, ...frame.users.filter((u) => !seen.has(u))]
    r.membersNext.value = frame.offset + frame.users.length
    r.membersMore.value = frame.more
    r.membersLoading.value = false
  })
}
