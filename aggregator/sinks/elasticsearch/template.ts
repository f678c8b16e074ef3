/**
 * The index template and lifecycle policy for `logs-cargoscope-*`: a data stream whose documents
 * follow Elastic Common Schema, with ILM deleting backing indices after the retention period.
 */
export function lifecyclePolicy(retentionDays: number, rolloverMaxGb: number) {
  return {
    policy: {
      phases: {
        hot: { actions: { rollover: { max_primary_shard_size: `${rolloverMaxGb}gb`, max_age: '1d' } } },
        delete: { min_age: `${retentionDays}d`, actions: { delete: {} } },
      },
    },
  };
}

const keyword = { type: 'keyword', ignore_above: 1024 } as const;

/** `policyName` null: no lifecycle setting (clusters without ILM, such as x-pack-less builds). */
export function indexTemplate(prefix: string, policyName: string | null, shards: number, replicas: number) {
  return {
    index_patterns: [`${prefix}-*`],
    data_stream: {},
    priority: 200,
    template: {
      settings: { number_of_shards: shards, number_of_replicas: replicas, ...(policyName ? { 'index.lifecycle.name': policyName } : {}) },
      mappings: {
        dynamic: false,
        properties: {
          '@timestamp': { type: 'date_nanos' },
          // `text` rather than `match_only_text`: the latter needs the mapper-extras module.
          message: { type: 'text' },
          stream: keyword,
          log: { properties: { level: keyword } },
          container: {
            properties: {
              id: keyword,
              name: keyword,
              image: { properties: { name: keyword } },
              labels: { type: 'flattened' },
            },
          },
          kubernetes: {
            properties: {
              namespace: keyword,
              pod: { properties: { name: keyword } },
              replicaset: { properties: { name: keyword } },
              deployment: { properties: { name: keyword } },
            },
          },
          host: { properties: { name: keyword } },
          event: { properties: { id: keyword, original_offset: { type: 'long' } } },
          error: { properties: { type: keyword } },
        },
      },
    },
    _meta: { managed_by: 'cargoscope' },
  };
}
