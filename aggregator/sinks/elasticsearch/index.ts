export { buildBulk, classifyItem, dataStreamFor, summarise } from './bulk';
export type { BulkItemResult, BulkSummary, ItemOutcome, ItemRef } from './bulk';
export { classifyEsError, elasticsearchFactory, elasticsearchSchema, ElasticsearchSink } from './sink';
export type { ElasticsearchConfig } from './sink';
export { indexTemplate, lifecyclePolicy } from './template';
