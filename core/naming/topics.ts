/** Kafka topics (and in-process bus channels): the contracts between collector and aggregator. */
export const TOPIC = {
  metrics: 'cargoscope.metrics.v1',
  logs: 'cargoscope.logs.v1',
  rollups: 'cargoscope.rollups.v1',
  deadletter: 'cargoscope.deadletter.v1',
} as const;

export type Topic = (typeof TOPIC)[keyof typeof TOPIC];
