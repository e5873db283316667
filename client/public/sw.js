// Offline app shell for Polyphony. Navigations go to the network first and fall back to
// the cached index.html; hashed build assets are served from the cache first.
// API, sync, metrics and health traffic is never touched.
const CACHE = 'polyphony-shell-v1'
const BYPASS = ['/api/', '/sync', '/metrics', '/health']

async function cacheShell() {
  const cache = await caches.open(CACHE)
  const res = await fetch('/index.html', { cache: 'no-cache' })
  if (!res.ok) return
  const html = await res.clone().text()
  await cache.put('/index.html', res)
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1])
  await cache.addAll(assets)
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()))
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key)
      await self.clients.claim()
    })(),
  )
})

async function navigate(request) {
  try {
    const res = await fetch(request)
    if (res.ok && (res.headers.get('content-type') || '').includes('text/html')) {
      const cache = await caches.open(CACHE)
      await cache.put('/index.html', res.clone())
    }
    return res
  } catch {
    return (await caches.match('/index.html')) || Response.error()
  }
}

// Only a real build asset is kept: a 404 (or an HTML page served in its place) must not
// stick for a year under an immutable name.
function cacheable(res, url) {
  return res.ok && url.pathname.startsWith('/assets/') && !(res.headers.get('content-type') || '').includes('text/html')
}

async function asset(request, url) {
  const hit = await caches.match(request)
  if (hit) return hit
  const res = await fetch(request)
  if (cacheable(res, url)) {
    const cache = await caches.open(CACHE)
    await cache.put(request, res.clone())
  }
  return res
}

self.addEventListener('fetch', (event) => {
  const request = event.request
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  if (url.origin !== self.location.origin || BYPASS.some((p) => url.pathname.startsWith(p))) return
  event.respondWith(request.mode === 'navigate' ? navigate(request) : asset(request, url))
})
