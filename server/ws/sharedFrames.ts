// Server-to-client WebSocket frames (RFC 6455: binary, final, unmasked), built once per message
// and shared by every socket it goes to. A broadcast and the probe after it are the same bytes
// for every reader: ws would build a header and write each message separately per socket.

/** Frames by message: a message sent to many sockets is framed once (and dropped with it). */
const frames = new WeakMap<Uint8Array, Buffer>()

/** `data` as one binary WebSocket frame. */
export function binaryFrame(data: Uint8Array): Buffer {
  let frame = frames.get(data)
  if (frame === undefined) {
    frame = encodeFrame(data)
    frames.set(data, frame)
  }
  return frame
}

function encodeFrame(data: Uint8Array): Buffer {
  const n = data.length
  const head = n < 126 ? 2 : n < 65_536 ? 4 : 10
  const frame = Buffer.allocUnsafe(head + n)
  frame[0] = 0x82 // FIN, opcode 2 (binary)
  if (n < 126) {
    frame[1] = n
  } else if (n < 65_536) {
    frame[1] = 126
    frame.writeUInt16BE(n, 2)
  } else {
    frame[1] = 127
    frame.writeUInt32BE(Math.floor(n / 2 ** 32), 2)
    frame.writeUInt32BE(n >>> 0, 6)
  }
  frame.set(data, head)
  return frame
}
