/**
 * End-to-end acknowledgements, after Vector's batch notifiers: a source attaches one `Ack` to each
 * batch; every stage that fans the batch out `retain`s it once per extra holder; every holder
 * `settle`s it exactly once. When the last holder settles, `done` resolves with the worst outcome,
 * and only then may the source advance a file position or commit a Kafka offset.
 */

/**
 * - `delivered`: the next durable stage has it.
 * - `rejected`: permanently refused and routed to the dead letter (or counted as dropped by
 *   policy) — the source still advances, because re-reading would only fail again.
 * - `failed`: not delivered (retry budget spent, shut down mid-flight) — the source must not advance.
 */
export type AckOutcome = 'delivered' | 'rejected' | 'failed';

const severity: Record<AckOutcome, number> = { delivered: 0, rejected: 1, failed: 2 };

export class Ack {
  private pending = 1;
  private worst: AckOutcome = 'delivered';
  private reasonText: string | undefined;
  private resolveDone!: (outcome: AckOutcome) => void;
  /** Resolves once every holder settled; never rejects. */
  readonly done: Promise<AckOutcome>;

  constructor() {
    this.done = new Promise<AckOutcome>((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** An ack nobody waits for (tests, internal events). */
  static detached(): Ack {
    return new Ack();
  }

  /** Adds `holders` more parties that must settle before `done` resolves. */
  retain(holders = 1): this {
    if (this.pending === 0) throw new Error('Ack.retain after the ack was fully settled');
    this.pending += holders;
    return this;
  }

  settle(outcome: AckOutcome, reason?: string): void {
    if (this.pending === 0) throw new Error('Ack settled more times than it was retained');
    if (severity[outcome] > severity[this.worst]) {
      this.worst = outcome;
      this.reasonText = reason;
    }
    this.pending -= 1;
    if (this.pending === 0) this.resolveDone(this.worst);
  }

  get settled(): boolean {
    return this.pending === 0;
  }

  /** The reason given with the worst outcome, for logs. */
  get reason(): string | undefined {
    return this.reasonText;
  }
}

/** Settles every ack in a list with one outcome (a sink acknowledging a merged batch). */
export function settleAll(acks: Iterable<Ack>, outcome: AckOutcome, reason?: string): void {
  for (const ack of acks) ack.settle(outcome, reason);
}
