export { InProcessBus } from './bus';
export { topicSinkFactory, topicSourceFactory } from './components';
export type { EnvelopeHandler, SubscribeOptions, Subscription, Transport, TransportMessage } from './types';
