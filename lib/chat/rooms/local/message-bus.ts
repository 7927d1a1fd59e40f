// The message bus of a single node: publishing a room's message is delivering it to this node's
// sockets, at once and in the same turn (no promise, no copy: the one encoded buffer goes on).
import type { DeliverLocal, MessageBus } from '../ports.js'

export function createLocalMessageBus(): MessageBus {
  let deliver: DeliverLocal = () => {}
  return {
    publish(room, seq, data) {
      deliver(room, seq, data)
    },
    subscribe(fn) {
      deliver = fn
    }
  }
}
