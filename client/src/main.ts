// Browser client entry. Start reading at components/App.svelte (routes) and
// lib/workspace.svelte.ts (what an open workspace holds).
import { mount } from 'svelte'
import App from './components/App.svelte'
import './app.css'

mount(App, { target: document.getElementById('app')! })

// The service worker caches the app shell so a reload without network still starts;
// documents themselves come from IndexedDB. Only in builds: it would cache dev modules.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').catch((error: unknown) => console.warn('service worker not registered', error))
}
