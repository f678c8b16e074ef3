/** The value of `cargoscope.deadletter.v1`: what could not be parsed, routed or indexed. */
export interface DeadLetter {
  readonly type: 'deadletter';
  readonly version: 1;
  /** Component id that gave up on it. */
  readonly component: string;
  /** A short, bounded reason code (`unparseable`, `es_rejected`, …) for metrics. */
  readonly reason: string;
  /** Human-readable detail: the parser's or the server's message. */
  readonly detail: string;
  /** Where it came from: topic/partition/offset, file and offset, URL… */
  readonly origin: string;
  /** The payload as received, base64 when it was not valid UTF-8. */
  readonly payload: string;
  readonly payloadEncoding: 'utf8' | 'base64';
  readonly atMs: number;
}
