/**
 * The last `capacity` event ids this client handed to the app, so that an event delivered by two connections (the
 * overlap of a move to another gateway) or twice by a resume is handed over once. Bounded: the oldest id is
 * forgotten first. Ids are room-wide and increasing, so a duplicate is always recent.
 */
export class RecentIds {
  private readonly ids = new Set<number>();
  private readonly order: number[] = [];
  private head = 0;

  constructor(private readonly capacity: number) {}

  /** Remembers `id`; false when it is remembered already. */
  add(id: number): boolean {
    if (this.ids.has(id)) {
      return false;
    }

    this.ids.add(id);
    this.order.push(id);
    while (this.ids.size > this.capacity && this.head < this.order.length) {
      this.ids.delete(this.order[this.head++]!);
    }

    // Compact the queue now and then instead of shifting it on every add.
    if (this.head > 4096 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }

    return true;
  }

  get size(): number {
    return this.ids.size;
  }
}
