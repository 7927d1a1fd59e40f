// What the load generator does with each complete message a socket receives, kept apart from
// the worker process so test/unit/bench-protocols.test.ts can feed it frames: a delivery is counted
// by its marker bytes (no string, no JSON); anything else goes to the server's protocol
// (loadgen/protocols.mjs), which decodes only the frames that are acted on.
import { MARKER, findMarker, readSendUs } from './frames.mjs'
import { createHistogram, record } from '../lib/stats.mjs'

export const nowUs = () => (performance.timeOrigin + performance.now()) * 1000 // µs since the epoch: the same clock in every process

export function freshCounters() {
  return { received: 0, sampled: 0, stale: 0, refused: 0, errors: 0, sent: 0, hist: createHistogram(), errorCodes: {} }
}

/**
 * Handles one message of a client. state: { proto, tag (the current step's byte), counters }.
 * A client may have onReady (until it is ready), joined/joinFailed (while joining a room).
 */
export function receive(state, client, buf, start, end) {
  const { counters } = state
  if (client.ready) {
    const i = findMarker(buf, start, end)
    if (i >= 0) {
      if (buf[i + 1] !== state.tag) {
        counters.stale++ // a late frame of an earlier step, or one between steps
        return
      }
      counters.received++
      if (client.sample) {
        counters.sampled++
        record(counters.hist, (nowUs() - readSendUs(buf, i, end)) / 1000)
      }
      return
    }
  }
  let ev
  try {
    ev = state.proto.parse(buf, start, end, client)
  } catch {
    counters.errors++
    return
  }
  switch (ev.kind) {
    case 'message':
      // A delivery before the client was ready (cannot happen between steps; counted the same way).
      if (ev.text.charCodeAt(1) === state.tag && ev.text.charCodeAt(0) === MARKER) counters.received++
      return
    case 'ready':
      return client.onReady?.()
    case 'joined':
      return client.joined?.(ev)
    case 'refused':
      // While joining, a refusal is the join's own limit (the caller retries); otherwise a message was refused.
      if (client.joinFailed) return client.joinFailed(ev)
      counters.refused++
      return
    case 'error':
      counters.errors++
      counters.errorCodes[ev.code] = (counters.errorCodes[ev.code] ?? 0) + 1
      return client.joinFailed?.(ev)
  }
}
