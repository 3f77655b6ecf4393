import type { Counter, Registry } from 'prom-client';
import { counter, createRegistry } from '../observability/metrics.js';

/** What the gateway reports on GET /metrics. Labels never carry an identity or a token. */
export interface GatewayMetrics {
  registry: Registry;
  requests: Counter<'route' | 'status'>;
  audit: Counter<'event' | 'reason'>;
}

export function createGatewayMetrics(registry: Registry = createRegistry({ defaultMetrics: true })): GatewayMetrics {
  return {
    registry,
    requests: counter(registry, 'llmc_gateway_http_requests_total', 'HTTP requests by route and status', [
      'route',
      'status',
    ]),
    audit: counter(registry, 'llmc_gateway_token_events_total', 'Token lifecycle events (audit) by event and reason', [
      'event',
      'reason',
    ]),
  };
}
