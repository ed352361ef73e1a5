/**
 * The ids released in the current pass, so that a duplicate (a resume that overlaps, a replay of something still
 * remembered) is not released twice. Bounded: the oldest remembered id is forgotten first.
 */
export class ReleasedIds {
  // Where each id sat on the timeline (a seek backward forgets exactly the ids of its replay window) and which
  // remembering it was (an id forgotten and remembered again has a stale entry in `order`: skip it when trimming).
  private readonly entries = new Map<number, { epoch: number | null; streamTs: number | null; stamp: number }>();
  private order: { id: number; stamp: number }[] = [];
  private head = 0;
  private stamp = 0;

  constructor(private readonly capacity: number) {}

  has(id: number): boolean {
    return this.entries.has(id);
  }

  remember(id: number, epoch: number | null, streamTs: number | null): void {
    if (this.capacity === 0) {
      return;
    }

    this.stamp++;
    this.entries.set(id, { epoch, streamTs, stamp: this.stamp });
    this.order.push({ id, stamp: this.stamp });
    while (this.entries.size > this.capacity && this.head < this.order.length) {
      const oldest = this.order[this.head++]!;
      if (this.entries.get(oldest.id)?.stamp === oldest.stamp) {
        this.entries.delete(oldest.id);
      }
    }

    // Stale queue entries (ids forgotten by a seek, or remembered again) would otherwise pile up.
    if (this.order.length - this.head > 2 * this.capacity || this.head > 4096) {
      this.order = this.order.slice(this.head).filter((o) => this.entries.get(o.id)?.stamp === o.stamp);
      this.head = 0;
    }
  }

  /** Forgets the ids of `epoch` whose stream time is in [fromMs, toMs]. */
  forget(epoch: number, fromMs: number, toMs: number): void {
    for (const [id, entry] of this.entries) {
      if (entry.epoch === epoch && entry.streamTs !== null && entry.streamTs >= fromMs && entry.streamTs <= toMs) {
        this.entries.delete(id);
      }
    }
  }
}
