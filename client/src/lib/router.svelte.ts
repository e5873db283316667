// Path-based routes (the server serves index.html for any non-API path):
//   /                       workspace list
//   /w/<ws>?doc=<name>      documents tab, optionally with a document open
//   /w/<ws>/review          review tab (later)
//   /w/<ws>/tasks           tasks board (later)

import { getContext, setContext } from 'svelte'

export type Tab = 'docs' | 'review' | 'tasks'
export type Route = { name: 'home' } | { name: 'workspace'; workspace: string; tab: Tab; doc: string | null }

export function parseRoute(pathname: string, search: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent)
  if (parts[0] === 'w' && parts[1]) {
    const tab: Tab = parts[2] === 'review' || parts[2] === 'tasks' ? parts[2] : 'docs'
    return { name: 'workspace', workspace: parts[1], tab, doc: new URLSearchParams(search).get('doc') }
  }
  return { name: 'home' }
}

export function routeUrl(route: Route): string {
  if (route.name === 'home') return '/'
  const base = `/w/${encodeURIComponent(route.workspace)}`
  if (route.tab !== 'docs') return `${base}/${route.tab}`
  return route.doc === null ? base : `${base}?doc=${encodeURIComponent(route.doc)}`
}

export class Router {
  #url = $state(location.pathname + location.search)

  constructor() {
    // Lives as long as the app; no teardown needed.
    window.addEventListener('popstate', () => (this.#url = location.pathname + location.search))
  }

  get route(): Route {
    const url = new URL(this.#url, location.origin)
    return parseRoute(url.pathname, url.search)
  }

  go(route: Route, { replace = false } = {}): void {
    const url = routeUrl(route)
    if (url === this.#url) return
    if (replace) history.replaceState(null, '', url)
    else history.pushState(null, '', url)
    this.#url = url
  }
}

const KEY = Symbol('router')
export const setRouter = (router: Router): Router => setContext(KEY, router)
export const getRouter = (): Router => getContext<Router>(KEY)
