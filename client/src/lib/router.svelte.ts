// Path-based routes (the server serves index.html for any non-API path):
//   /                       workspace list
//   /w/<ws>?doc=<name>      documents tab, optionally with a document open
//   /w/<ws>/review?doc=<name>&view=readings   review: conflicts (default) or readings of a document
//   /w/<ws>/tasks           task board and team metrics

import { getContext, setContext } from 'svelte'

export type Tab = 'docs' | 'review' | 'tasks'
export type ReviewPane = 'conflicts' | 'readings'
export type Route = { name: 'home' } | { name: 'workspace'; workspace: string; tab: Tab; doc: string | null; view?: ReviewPane }

export function parseRoute(pathname: string, search: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent)
  if (parts[0] === 'w' && parts[1]) {
    const tab: Tab = parts[2] === 'review' || parts[2] === 'tasks' ? parts[2] : 'docs'
    const params = new URLSearchParams(search)
    const doc = tab === 'tasks' ? null : params.get('doc')
    if (tab !== 'review') return { name: 'workspace', workspace: parts[1], tab, doc }
    return { name: 'workspace', workspace: parts[1], tab, doc, view: params.get('view') === 'readings' ? 'readings' : 'conflicts' }
  }
  return { name: 'home' }
}

export function routeUrl(route: Route): string {
  if (route.name === 'home') return '/'
  const base = `/w/${encodeURIComponent(route.workspace)}`
  if (route.tab === 'tasks') return `${base}/tasks`
  const params = new URLSearchParams()
  if (route.doc !== null) params.set('doc', route.doc)
  if (route.tab === 'review' && route.view === 'readings') params.set('view', 'readings')
  const query = params.toString() ? `?${params}` : ''
  return route.tab === 'review' ? `${base}/review${query}` : base + query
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
