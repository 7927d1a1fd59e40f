// Whether a request is a WebSocket (or other) upgrade: Node's parser sets `upgrade` on the
// requests it hands to the server's 'upgrade' event (untyped in @types/node).
import type { IncomingMessage } from 'node:http'

export const isUpgrade = (request: IncomingMessage): boolean => (request as { upgrade?: boolean }).upgrade === true
