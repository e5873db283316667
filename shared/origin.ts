// Every Yjs transaction the server or an agent makes carries one of these as its origin,
// so observers can tell where a change came from.

export type TransactionOrigin =
  | { source: 'connection'; principal: string; connectionId: number }
  | { source: 'storage' }
  | { source: 'server'; principal: string; reason: string }
  | { source: 'agent'; principal: string }
