// Types of frames.mjs, for test/unit/bench-frames.test.ts (the bench itself runs as plain JavaScript).
export declare const OP: { CONT: 0; TEXT: 1; BINARY: 2; CLOSE: 8; PING: 9; PONG: 10 }
export declare const MAX_FRAME: number
export type OnFrame = (opcode: number, fin: boolean, buf: Buffer, start: number, end: number) => void
export declare function createFrameReader(onFrame: OnFrame): (buf: Buffer, start?: number, end?: number) => void
export declare const MARKER: number
export declare const TEXT_LENGTH: number
export declare function stepByte(step: number): number
export declare function messageText(step: number, sendUs: number): string
export declare function findMarker(buf: Buffer, start: number, end: number): number
export declare function readSendUs(buf: Buffer, i: number, end: number): number
export declare function acceptFor(key: string): string
export declare function newKey(): string
export declare function upgradeRequest(o: { host: string; path: string; key: string; headers?: Record<string, string | undefined> }): string
export declare function checkUpgradeResponse(head: string, key: string): string
export declare function clientFrame(opcode: number, payload: Buffer): Buffer
