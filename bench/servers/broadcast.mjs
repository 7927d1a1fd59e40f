// The floor's room broadcast, shared by the reference servers built on `ws` sockets (floor,
// fastify): each text frame goes as-is to every socket of the sender's room, sender included.
export function createRooms() {
  const rooms = new Map()
  /** Puts a connected socket in its room (default lobby) for as long as it is open. */
  return function attach(socket, room = 'lobby') {
    let members = rooms.get(room)
    if (!members) rooms.set(room, (members = new Set()))
    members.add(socket)
    socket.on('message', (data, isBinary) => {
      for (const peer of members) peer.send(data, { binary: isBinary })
    })
    socket.on('close', () => members.delete(socket))
    socket.on('error', () => {})
  }
}
