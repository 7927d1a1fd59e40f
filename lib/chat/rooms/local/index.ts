// The local adapters of the rooms domain's ports, in one call: what a single node uses (the
// plugins' adapter choice; a cluster would choose Redis ones here instead).
import type { RoomPorts } from '../ports.js'
import { createLocalMessageBus } from './message-bus.js'
import { createLocalRoomState, type LocalRoomStateOptions } from './room-state.js'

export type { KnownRoom, LocalRoomStateOptions } from './room-state.js'

export function createLocalRoomPorts(opts: LocalRoomStateOptions): RoomPorts {
  const state = createLocalRoomState(opts)
  return { state, presence: state, bus: createLocalMessageBus() }
}
