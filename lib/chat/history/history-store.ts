// The history port's old address: lib/chat/rooms imports it from here until the room hub's split
// moves its imports to ports.ts (then this file goes).
export type * from './ports.js'
