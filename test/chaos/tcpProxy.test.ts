// [bench/chaos] The fault-injecting TCP proxy itself, against a plain echo server.

import { afterEach, describe, expect, it } from 'vitest'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { TcpProxy } from './TcpProxy.ts'
import { waitFor } from '../helpers/wait.ts'

let echo: Server
let proxy: TcpProxy | undefined
const sockets: Socket[] = []
const echoSockets: Socket[] = []

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  await proxy?.close()
  proxy = undefined
  for (const s of echoSockets.splice(0)) s.destroy()
  await new Promise<void>((resolve) => (echo ? echo.close(() => resolve()) : resolve()))
})

async function startEcho(): Promise<number> {
  echo = createServer((s) => {
    echoSockets.push(s)
    s.on('error', () => {})
    s.pipe(s)
  })
  echo.listen(0, '127.0.0.1')
  await once(echo, 'listening')
  return (echo.address() as AddressInfo).port
}

interface Client {
  socket: Socket
  received: () => string
  closed: Promise<{ error?: string }>
}

async function dial(port: number): Promise<Client> {
  const socket = connect({ host: '127.0.0.1', port })
  sockets.push(socket)
  let data = ''
  let error: string | undefined
  socket.on('data', (d: Buffer) => (data += d.toString()))
  socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code))
  const closed = new Promise<{ error?: string }>((resolve) => socket.on('close', () => resolve({ error })))
  await once(socket, 'connect')
  return { socket, received: () => data, closed }
}

describe('TcpProxy', () => {
  it('forwards both ways, and cut closes live connections', async () => {
    proxy = await TcpProxy.start({ target: { port: await startEcho() } })
    const c = await dial(proxy.port)
    c.socket.write('hello')
    await waitFor(() => c.received() === 'hello', 'echo through the proxy')
    expect(proxy.connections).toHaveLength(1)
    proxy.cut()
    await c.closed
    await waitFor(() => proxy!.connections.length === 0, 'connection forgotten')
  })

  it('reset sends an RST the client sees as ECONNRESET', async () => {
    proxy = await TcpProxy.start({ target: { port: await startEcho() } })
    const c = await dial(proxy.port)
    c.socket.write('x')
    await waitFor(() => c.received() === 'x', 'echo')
    proxy.reset()
    expect((await c.closed).error).toBe('ECONNRESET')
  })

  it('partition refuses new connections until heal', async () => {
    proxy = await TcpProxy.start({ target: { port: await startEcho() } })
    const live = await dial(proxy.port)
    proxy.partition()
    await live.closed
    const refused = connect({ host: '127.0.0.1', port: proxy.port })
    sockets.push(refused)
    const [err] = (await once(refused, 'error').catch((e: unknown) => [e])) as [NodeJS.ErrnoException]
    expect(err.code).toBe('ECONNRESET')
    expect(proxy.stats.refused).toBe(1)
    proxy.heal()
    const again = await dial(proxy.port)
    again.socket.write('back')
    await waitFor(() => again.received() === 'back', 'echo after heal')
  })

  it('delays each chunk and keeps their order, per-chunk delays included', async () => {
    proxy = await TcpProxy.start({ target: { port: await startEcho() } })
    const c = await dial(proxy.port)
    // Later chunks get shorter delays; order must hold anyway.
    let n = 0
    proxy.setDelay(() => Math.max(0, 120 - 40 * n++), 'up')
    const started = performance.now()
    for (const [i, part] of ['a', 'b', 'c', 'd'].entries()) {
      c.socket.write(part)
      // One chunk at a time, so each gets its own delay.
      await waitFor(() => proxy!.connections[0].up.bytesIn === i + 1, 'chunk read by the proxy')
    }
    await waitFor(() => c.received().length === 4, 'all chunks', 5_000)
    expect(c.received()).toBe('abcd')
    expect(performance.now() - started).toBeGreaterThanOrEqual(110)
  })

  it('stall buffers one direction; resume delivers what was held, in order', async () => {
    proxy = await TcpProxy.start({ target: { port: await startEcho() } })
    const c = await dial(proxy.port)
    proxy.stall('down')
    c.socket.write('one,')
    c.socket.write('two')
    await waitFor(() => proxy!.buffered().down === 'one,two'.length, 'echo held in the proxy')
    expect(c.received()).toBe('')
    proxy.resume('down')
    await waitFor(() => c.received() === 'one,two', 'held bytes delivered')
  })

  it('bounds its buffers: a stalled direction pauses the sender instead of growing', async () => {
    proxy = await TcpProxy.start({ target: { port: await startEcho() }, maxBufferedBytes: 64 * 1024 })
    const c = await dial(proxy.port)
    proxy.stall('up')
    const chunk = Buffer.alloc(16 * 1024, 1)
    for (let i = 0; i < 64; i++) c.socket.write(chunk)
    await waitFor(() => proxy!.buffered().up > 64 * 1024, 'buffer filled')
    await waitFor(() => proxy!.connections[0].client.isPaused(), 'sender paused')
    expect(proxy.buffered().up).toBeLessThan(64 * 1024 + 2 * 65536)
    proxy.resume('up')
    await waitFor(() => c.received().length === 64 * chunk.length, 'everything echoed', 10_000)
  })
})
