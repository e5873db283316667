// Running agents: heuristic reviews, the LLM tools adapter, the watch loop.
export { workspaceToolsFor } from './workspaceTools.ts'
export { runOfflineReview, heuristicFallback, type OfflineReviewResult } from './offlineReview.ts'
export { watchDocuments, type WatchLoop, type WatchOptions } from './watchLoop.ts'
export { reportUsage, type UsageReporter } from './usageReporter.ts'
