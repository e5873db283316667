// Vitest global setup: one PostgreSQL cluster for the whole run (see postgres.ts).
import type { TestProject } from 'vitest/node'
import { startPgCluster } from './pgCluster.ts'

export default function setup(project: TestProject): () => void {
  const cluster = startPgCluster()
  project.provide('pgSocketDir', cluster.socketDir)
  return () => cluster.stop()
}
