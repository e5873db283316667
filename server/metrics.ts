// Prometheus metrics for one server instance (its own registry: two servers can share a process).

import * as prom from 'prom-client'
import type { CoreLoad } from './core/coreLoad.ts'

/** How often the event-loop lag histogram samples (see processRegistry). */
const EVENT_LOOP_SAMPLE_MS = 100

let processMetrics: prom.Registry | null = null

/**
 * The process's own metrics (CPU, memory, event-loop lag, GC), created once per process and
 * shown by every server in it: prom-client starts an event-loop monitor per registry and never
 * stops it, so one per server leaked a timer for each server a process started and stopped (the
 * start-up warm-up's scratch server, tests). The lag histogram samples every 100 ms: prom-client's
 * 10 ms default woke an idle server 100 times a second (4.4 ms of CPU per second, ~2 µs per edit of
 * a stream throttled to 2,000 edits/s; docs/benchmarks.md).
 */
function processRegistry(): prom.Registry {
  if (!processMetrics) {
    processMetrics = new prom.Registry()
    prom.collectDefaultMetrics({ register: processMetrics, prefix: 'polyphony_process_', eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS })
  }
  return processMetrics
}

export class ServerMetrics {
  readonly registry = new prom.Registry()
  readonly connections = new prom.Gauge({ name: 'polyphony_connections', help: 'Open sync sockets', registers: [this.registry] })
  readonly relayedSockets = new prom.Gauge({
    name: 'polyphony_relayed_sockets',
    help: 'Sync sockets this instance relays to the instance that owns their room',
    registers: [this.registry],
  })
  readonly rooms = new prom.Gauge({ name: 'polyphony_rooms_loaded', help: 'Rooms loaded in memory', registers: [this.registry] })
  readonly updatesIn = new prom.Counter({ name: 'polyphony_updates_in_total', help: 'Document updates accepted', registers: [this.registry] })
  readonly bytesIn = new prom.Counter({ name: 'polyphony_bytes_in_total', help: 'Sync bytes received', registers: [this.registry] })
  readonly bytesOut = new prom.Counter({ name: 'polyphony_bytes_out_total', help: 'Sync bytes sent', registers: [this.registry] })
  readonly refused = new prom.Counter({
    name: 'polyphony_messages_refused_total',
    help: 'Messages or sockets refused, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  })
  readonly persistSeconds = new prom.Histogram({
    name: 'polyphony_persist_seconds',
    help: 'Time to append one batch of updates durably',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  })
  readonly batchSize = new prom.Histogram({
    name: 'polyphony_persist_batch_updates',
    help: 'Updates per durable batch (group commit)',
    buckets: [1, 2, 5, 10, 50, 100, 500, 1000],
    registers: [this.registry],
  })
  readonly broadcastSeconds = new prom.Histogram({
    name: 'polyphony_broadcast_seconds',
    help: 'Time from receiving an update to handing it to every peer socket',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  })
  readonly conflicts = new prom.Counter({
    name: 'polyphony_conflicts_total',
    help: 'Operational conflicts detected, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  })
  readonly conflictsSuppressed = new prom.Counter({
    name: 'polyphony_conflicts_suppressed_total',
    help: 'New conflict records dropped because their principal spent its budget for the room (server/conflicts/ConflictBudget.ts)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  })
  readonly compactions = new prom.Counter({ name: 'polyphony_compactions_total', help: 'Room log compactions', registers: [this.registry] })
  readonly roomsLost = new prom.Counter({
    name: 'polyphony_rooms_lost_total',
    help: "Rooms dropped because another instance took them over (an append was fenced, or this instance's lease lapsed; --database only)",
    registers: [this.registry],
  })
  readonly httpRequests = new prom.Counter({
    name: 'polyphony_http_requests_total',
    help: 'HTTP requests by method, route template of the handler that answered (e.g. /api/workspaces/:ws/docs/:id; /api/* for API not-found and auth refusals) and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  })
  readonly httpSeconds = new prom.Histogram({
    name: 'polyphony_http_request_seconds',
    help: 'HTTP request latency by method, route template and status (server/http/telemetry.ts)',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  })
  // [coord] task claims and leases (server/coord/Coordinator.ts).
  readonly claimResults = new prom.Counter({
    name: 'polyphony_claim_results_total',
    help: 'Task claim results: won, race (refused: held by another), blocked (unfinished dependencies), expired (a lease ran out), stale_fence (renew/release/complete with a token that no longer holds the lease)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  })
  readonly taskOperations = new prom.Counter({
    name: 'polyphony_task_operations_total',
    help: 'Task API operations by op (create, claim, renew, release, complete) and result (ok or refusal code)',
    labelNames: ['op', 'result'] as const,
    registers: [this.registry],
  })
  // [coord] what agent processes report about their model use (POST /api/workspaces/:ws/agent-reports).
  readonly agentModelCalls = new prom.Counter({
    name: 'polyphony_agent_model_calls_total',
    help: 'Model calls reported by agents, by reporting principal and model',
    labelNames: ['principal', 'model'] as const,
    registers: [this.registry],
  })
  readonly agentTokens = new prom.Counter({
    name: 'polyphony_agent_tokens_total',
    help: 'Model tokens reported by agents, by principal and kind (input, output)',
    labelNames: ['principal', 'kind'] as const,
    registers: [this.registry],
  })
  readonly agentErrors = new prom.Counter({
    name: 'polyphony_agent_errors_total',
    help: 'Failed model calls reported by agents (after retries)',
    labelNames: ['principal'] as const,
    registers: [this.registry],
  })
  readonly agentRetries = new prom.Counter({
    name: 'polyphony_agent_retries_total',
    help: 'Model call retries reported by agents',
    labelNames: ['principal'] as const,
    registers: [this.registry],
  })
  readonly agentModelCallSeconds = new prom.Histogram({
    name: 'polyphony_agent_model_call_seconds',
    help: 'Model call latency reported by agents (each HTTP attempt that answered), by principal and model',
    labelNames: ['principal', 'model'] as const,
    buckets: [0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120],
    registers: [this.registry],
  })
  readonly agentBreakerState = new prom.Gauge({
    name: 'polyphony_agent_breaker_state',
    help: 'Circuit breaker state last reported by each agent: 0 closed, 1 half-open, 2 open (dropped 2 min after its last report: an exited agent does not stay open)',
    labelNames: ['principal'] as const,
    registers: [this.registry],
  })

  readonly #beforeScrape: Array<() => void> = []

  /** Runs `fn` before every scrape (e.g. to drop series of agents that stopped reporting). */
  beforeScrape(fn: () => void): void {
    this.#beforeScrape.push(fn)
  }

  /** The exposition text, after the scrape hooks ran. */
  async scrape(): Promise<string> {
    for (const fn of this.#beforeScrape) fn()
    // prom-client prints an empty gauge as "Nan"; the exposition format spells it NaN.
    const text = (await this.#process.metrics()) + (await this.registry.metrics())
    return text.replace(/ Nan$/gm, ' NaN')
  }

  readonly #process = processRegistry()

  /**
   * Gauges read from the sync core and the event streams when /metrics is scraped (so they cost
   * nothing per update): write queues, held updates, send buffers, paused sockets, SSE streams.
   */
  observe(source: { core: () => CoreLoad; eventStreams: () => number }): void {
    const gauge = (name: string, help: string, read: (load: CoreLoad) => number) =>
      new prom.Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(read(source.core()))
        },
      })
    gauge('polyphony_write_queue_updates', 'Updates queued for durable append across rooms', (l) => l.queuedUpdates)
    gauge('polyphony_write_queue_bytes', 'Bytes queued for durable append across rooms', (l) => l.queuedBytes)
    gauge('polyphony_write_queue_deepest_updates', 'The longest write queue of a single room', (l) => l.deepestQueue)
    gauge('polyphony_pending_updates', 'Updates held for missing dependencies across rooms', (l) => l.pendingUpdates)
    gauge('polyphony_pending_bytes', 'Bytes of updates held for missing dependencies across rooms', (l) => l.pendingBytes)
    gauge('polyphony_send_buffer_bytes', 'Bytes accepted for sockets and not yet written, all sockets', (l) => l.sendBufferBytes)
    gauge('polyphony_paused_sockets', 'Sockets whose reads are paused (rate limit or a long room queue)', (l) => l.pausedSockets)
    new prom.Gauge({
      name: 'polyphony_sse_streams',
      help: 'Open server-sent event streams',
      registers: [this.registry],
      collect() {
        this.set(source.eventStreams())
      },
    })
  }
}
