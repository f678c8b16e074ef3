export { InProcessBus } from './bus';
export { CONTENT_TYPE, contentTypeOf, decodeEvent, encodeEvent } from './codec';
export { EncodedEnvelope, eventOf } from './encoded';
export { decodeLogBatch, encodeLogBatch, LOGS_CONTENT_TYPE, LOGS_WIRE_VERSION } from './log-codec';
export type { DecodeResult } from './codec';
export { classifyKafkaError, KafkaTransport } from './kafka';
export type { KafkaTransportHooks } from './kafka';
export { topicSinkFactory, topicSourceFactory } from './components';
export type { EncodedMessage, EnvelopeHandler, OutgoingMessage, SubscribeOptions, Subscription, Transport, TransportMessage } from './types';
