/**
 * Names in the stores the aggregator writes: the InfluxDB database, measurements, tags and fields
 * (aggregator/sinks/influxdb/points.ts writes them) and the Elastic Common Schema fields of the log
 * data streams (aggregator/ecs, aggregator/sinks/elasticsearch/template.ts map them). dashboards/
 * queries them; tests/unit/dashboards/store-names.test.ts checks them against the sinks' output.
 */
export const INFLUX = {
  database: 'cargoscope',
  retention: { raw: 'raw', downsampled: 'downsampled' },
  rollupMeasurement: 'cargoscope_rollup',
  /** Telegraf Docker input measurement names. */
  measurement: {
    cpu: 'docker_container_cpu',
    mem: 'docker_container_mem',
    net: 'docker_container_net',
    blkio: 'docker_container_blkio',
  },
  /** Tags of the docker_container_* measurements (`engine_host` is the node). */
  containerTag: {
    containerName: 'container_name',
    image: 'container_image',
    node: 'engine_host',
    namespace: 'namespace',
    replicaset: 'replicaset',
    pod: 'pod',
    network: 'network',
    device: 'device',
  },
  /** Tags of cargoscope_rollup. */
  rollupTag: {
    level: 'level',
    aggregator: 'aggregator',
    node: 'node',
    namespace: 'namespace',
    replicaset: 'replicaset',
    deployment: 'deployment',
    pod: 'pod',
    container: 'container',
  },
  /** Telegraf field names of the docker_container_* measurements the dashboards read. */
  field: {
    rxBytes: 'rx_bytes',
    txBytes: 'tx_bytes',
    blkioRead: 'io_service_bytes_recursive_read',
    blkioWrite: 'io_service_bytes_recursive_write',
  },
} as const;

/** Elastic Common Schema fields of the `logs-cargoscope-<namespace>` data streams. */
export const ECS = {
  indexPattern: 'logs-cargoscope-*',
  timestamp: '@timestamp',
  message: 'message',
  level: 'log.level',
  stream: 'stream',
  containerId: 'container.id',
  containerName: 'container.name',
  image: 'container.image.name',
  namespace: 'kubernetes.namespace',
  pod: 'kubernetes.pod.name',
  replicaset: 'kubernetes.replicaset.name',
  deployment: 'kubernetes.deployment.name',
  host: 'host.name',
  /** The Kubernetes container name lives only in the (flattened) label map. */
  kubernetesContainer: 'container.labels.io.kubernetes.container.name',
} as const;
