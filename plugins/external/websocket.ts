// @fastify/websocket's setup: the frame size cap, no compression, quiet socket errors, and a
// "going away" close to every client when the server starts closing.
import websocket, { type WebsocketPluginOptions } from '@fastify/websocket'
import type { FastifyInstance } from 'fastify'

export default websocket

/** The options app.ts registers @fastify/websocket with. */
export function websocketOptions(
  fastify: FastifyInstance,
  maxPayload: number,
  errorHandler: NonNullable<WebsocketPluginOptions['errorHandler']>
): WebsocketPluginOptions {
  return {
    // No permessage-deflate (ws's default, made explicit): compressing costs CPU per frame per
    // socket, and frames are written prebuilt and uncompressed (lib/chat/gateway/text-frame.ts).
    options: { maxPayload, perMessageDeflate: false },
    // Not the default (log with a stack, terminate): that flooded the logs and raced ws's own
    // close frame for oversize frames (1006 instead of 1009).
    errorHandler,
    // Runs when close starts: tell every client we are going away, then stop.
    preClose: async () => {
      fastify.chatHub.closeAll(1001, 'shutdown')
    }
  }
}
