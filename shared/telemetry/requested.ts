// Whether the standard OpenTelemetry variables ask for traces (an OTLP endpoint is set and the
// SDK is not disabled). Apart from node.ts so a process can decide before loading the SDK.

export function tracingRequested(env: Record<string, string | undefined>): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT) && env.OTEL_SDK_DISABLED !== 'true'
}
