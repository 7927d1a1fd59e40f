// Types of protocols.mjs, for test/unit/bench-protocols.test.ts (the bench itself runs as plain JavaScript).
export type ProtocolEvent =
  | { kind: 'message'; text: string }
  | { kind: 'ready' }
  | { kind: 'joined'; room: string }
  | { kind: 'refused' | 'error'; code: string; room?: string; retryInMs?: number }
  | { kind: 'other' }
export interface Protocol {
  path(room: string): string
  headers(port: number, cookie?: string): Record<string, string | undefined>
  readyOnOpen?: boolean
  message(text: string, room?: string): string
  parse(buf: Buffer, start: number, end: number, client: { send(text: string): void; ready?: boolean }): ProtocolEvent
}
export declare const PROTOCOLS: { parley: Protocol; floor: Protocol; socketio: Protocol; fastify: Protocol }
