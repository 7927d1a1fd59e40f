// Types of receive.mjs, for test/unit/bench-protocols.test.ts (the bench itself runs as plain JavaScript).
import type { Protocol, ProtocolEvent } from './protocols.mjs'
export interface Counters {
  received: number
  sampled: number
  stale: number
  refused: number
  errors: number
  sent: number
  hist: unknown
  errorCodes: Record<string, number>
}
export interface ReceivingClient {
  ready?: boolean
  sample?: boolean
  send(text: string): void
  onReady?: () => void
  joined?: (ev: Extract<ProtocolEvent, { kind: 'joined' }>) => void
  joinFailed?: (ev: Extract<ProtocolEvent, { kind: 'refused' | 'error' }>) => void
}
export declare function freshCounters(): Counters
export declare const nowUs: () => number
export declare function receive(state: { proto: Protocol; tag: number; counters: Counters }, client: ReceivingClient, buf: Buffer, start: number, end: number): void
