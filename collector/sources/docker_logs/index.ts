import type { ComponentFactory } from '../../../core/component/types';
import { dockerLogsSourceSchema, type DockerLogsSourceConfig } from './config';
import { DockerLogsSource } from './source';

export { dockerLogsSourceSchema, multilineSchema } from './config';
export type { DockerLogsSourceConfig, MultilineConfig } from './config';
export { DockerLogsSource } from './source';
export type { DockerLogsSourceDeps } from './source';
export { ParsedLine, parseJsonFileLine } from './json-file-parser';
export { PartialReassembler, truncateUtf8 } from './reassembler';
export type { EmitPiece, RecordError } from './reassembler';
export { compileStartPattern, MultilineJoiner } from './multiline';
export type { MultilineOptions } from './multiline';
export { FileDecoder } from './file-decoder';
export type { DecodeCounts, DecoderOptions } from './file-decoder';
export { fingerprintOf, identityKey, listSiblings, listSiblingsStable, readIdentity, siblingGeneration } from './file-identity';
export type { FileIdentity, SiblingFile } from './file-identity';
export { CheckpointStore, writeAtomically } from './checkpoint-store';
export type { ApiCheckpoint, FileCheckpoint } from './checkpoint-store';
export { afterRotation, overLimit, planResume } from './rotation';
export type { ResumePlan, ResumeStep, RotationDecision, SiblingState } from './rotation';
export { planBatches } from './batcher';
export type { PlannedBatch } from './batcher';
export { ByteBudget, InOrderCommitter } from './delivery-tracker';
export { ApiDecoder, FrameDemuxer, sinceParam, splitTimestamp } from './api-stream';
export { DiscoveryLogTargets, jsonLogPath, StaticLogTargets } from './targets';
export type { LogTarget, LogTargets } from './targets';

export const dockerLogsSourceFactory: ComponentFactory<'source', DockerLogsSourceConfig> = {
  type: 'docker_logs',
  kind: 'source',
  description: 'Container logs: json-file tailed from disk (rotation, checkpoints, partial lines, multiline), other drivers through the Docker API.',
  schema: dockerLogsSourceSchema,
  create: (config) => new DockerLogsSource(config),
};
