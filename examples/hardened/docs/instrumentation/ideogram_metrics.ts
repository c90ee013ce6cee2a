/**
 * Prometheus metrics for every Ideogram API call, in the metric contract that ideogram-prod alerts on.
 *
 * Contract: the counter `ideogram_requests_total{status}` (status = the HTTP status code as a string, or
 * "error" when no response arrived) and the histogram `ideogram_request_duration_seconds`. Written by
 * `ideogram-prod init`; requires `prom-client`.
 *
 * Usage, around the one place that sends requests to Ideogram:
 *
 *   const response = await trackIdeogramCall(() => fetch(url, init));
 *
 * Expose the metrics with `register.metrics()` from prom-client on a /metrics route.
 */
import { Counter, Histogram } from 'prom-client';

export const ideogramRequests = new Counter({
  name: 'ideogram_requests_total',
  help: "Ideogram API requests by HTTP status code ('error' when no response arrived).",
  labelNames: ['status'] as const,
});

// Create the statuses the alerts and rollout gates watch at 0 now: a series born at 1 has no increase()
// over its first sample, so a new pod's first 401 would otherwise go unseen.
for (const status of ['200', '401', '402', '403', '422', '429', '500', '502', '503', 'error']) {
  ideogramRequests.inc({ status }, 0);
}

// Buckets around the 5 s p99 alert so the quantile is precise where it matters.
export const ideogramRequestDuration = new Histogram({
  name: 'ideogram_request_duration_seconds',
  help: 'Duration of Ideogram API requests, in seconds.',
  buckets: [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 15, 30, 60, 120],
});

export function recordIdeogramCall(status: number | string | undefined, seconds: number): void {
  ideogramRequests.inc({ status: status === undefined ? 'error' : String(status) });
  ideogramRequestDuration.observe(seconds);
}

/** The status of a fetch Response, or of an HTTP error thrown by axios or an SDK; undefined if none. */
function statusOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { status?: unknown; response?: { status?: unknown } };
  if (typeof v.status === 'number') return v.status;
  if (typeof v.response?.status === 'number') return v.response.status;
  return undefined;
}

/** Times the call and counts it once, also when it throws (timeouts, network errors). */
export async function trackIdeogramCall<T>(call: () => Promise<T>): Promise<T> {
  const end = ideogramRequestDuration.startTimer();
  try {
    const result = await call();
    ideogramRequests.inc({ status: String(statusOf(result) ?? 'error') });
    return result;
  } catch (error) {
    ideogramRequests.inc({ status: String(statusOf(error) ?? 'error') });
    throw error;
  } finally {
    end();
  }
}
