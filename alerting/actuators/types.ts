/** What an actuator reads from the orchestrator before a decision. */
export interface ScaleState {
  /** Desired replica count of the target (Swarm `Replicated.Replicas`, Kubernetes `spec.replicas`). */
  readonly replicas: number;
  /** Replicas running and ready. */
  readonly readyReplicas: number;
  /** Optimistic-concurrency token the write must carry (Swarm version index, `resourceVersion`). */
  readonly version: string;
  /** Names of the ready replicas as roll-ups label them (`pod`), when the orchestrator lists them. */
  readonly readyPods?: ReadonlySet<string>;
  /** Orchestrator-specific data the write needs (the Swarm service spec). */
  readonly opaque?: unknown;
}

/** The target changed between our read and our write: re-read, re-decide, write again. */
export class ScaleConflictError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScaleConflictError';
  }
}

export interface Actuator {
  readonly kind: 'docker_swarm' | 'kubernetes' | 'webhook';
  read(signal: AbortSignal): Promise<ScaleState>;
  /**
   * Writes `replicas` guarded by `state.version`; throws ScaleConflictError on a version conflict.
   * `record` is the decision record, for actuators that forward it (the webhook).
   */
  write(replicas: number, state: ScaleState, signal: AbortSignal, record?: unknown): Promise<void>;
}
