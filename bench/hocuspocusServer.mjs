// The second reference server: @hocuspocus/server as its README starts it, in memory.
//   HOST=127.0.0.1 PORT=N node bench/hocuspocusServer.mjs
// Configuration: Server defaults (debounce 2 s, unloadImmediately, gc on, timeout 60 s) with
// no extensions (so no persistence: documents live in memory) and no hooks (so no auth: any
// token is accepted); quiet, so its only output is the line the bench waits for. Plain
// JavaScript, so it starts without run-time TypeScript compilation like the other reference.
import { Server } from '@hocuspocus/server'

const server = new Server({ address: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0), quiet: true, stopOnSignals: true })
await server.listen()
console.log(`hocuspocus running at ws://${server.address.address}:${server.address.port}`)
