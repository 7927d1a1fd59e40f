// Answers a plain-HTTP request sent to the TLS port with a short 400, instead of silence.
import type { Server } from 'node:https'
import type { Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'

const BODY = 'This server speaks HTTPS only. Use https:// (and wss:// for the chat socket).\n'
const RESPONSE =
  'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n' +
  `Content-Length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`

/**
 * Nothing is served over plain HTTP: the request is never parsed, only answered with a fixed
 * 400 on the raw TCP socket, which is then closed. Other handshake failures are dropped, as
 * Node does when nobody listens for them.
 */
export function refusePlainHttp(server: Server): void {
  server.on('tlsClientError', (err: NodeJS.ErrnoException, tlsSocket: TLSSocket) => {
    // The TCP socket under the TLS one; not public API, so use it only when it is there.
    const raw = (tlsSocket as TLSSocket & { _parent?: Socket })._parent
    if (err.code === 'ERR_SSL_HTTP_REQUEST' && raw?.writable) {
      raw.end(RESPONSE) // closing the TCP socket closes the TLS one on top of it
      setTimeout(() => raw.destroy(), 1000).unref()
    } else {
      tlsSocket.destroy()
    }
  })
}
