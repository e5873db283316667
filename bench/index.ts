// The benchmark's building blocks, for tests and other tools. The entry point is main.ts.

export { BenchClient, now, type Dialect, type BenchClientOptions } from './BenchClient.ts'
export { WorkerPool } from './WorkerPool.ts'
export { startTarget, type RunningTarget, type TargetKind, type TargetOptions } from './targets.ts'
export { benchBootstrap, writeBootstrap, roomUrl } from './bootstrap.ts'
export { parseBenchOptions, FULL_SIZES, QUICK_SIZES, SCENARIOS, type BenchOptions, type BenchSizes } from './options.ts'
export { distribution, percentile, median, type Distribution } from './stats.ts'
export { cpuSeconds, memory } from './procStats.ts'
export { yjsFloor, type FloorResult } from './floor.ts'
export { resultsTable, ratioTable, floorTable, machineInfo, type Results } from './report.ts'
export { summarizeProfile, profileMarkdown, type ProfileSummary } from './profile.ts'
