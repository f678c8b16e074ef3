/** cargoscope's own HTTP ports (metrics, health); services/prometheus.yml scrapes them. */
export const DEFAULT_PORT = {
  allInOne: 9780,
  aggregator: 9781,
  collector: 9782,
  alerting: 9783,
} as const;
