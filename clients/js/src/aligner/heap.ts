/** A binary min-heap (the aligner's held events by ordering key). Sifts move a hole, not pairs: no garbage per step. */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (!this.less(item, p)) {
        break;
      }

      items[i] = p;
      i = parent;
    }

    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    if (items.length <= 1) {
      return items.pop();
    }

    const top = items[0]!;
    const last = items.pop()!;
    const n = items.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) {
        break;
      }

      const r = l + 1;
      const c = r < n && this.less(items[r]!, items[l]!) ? r : l;
      if (!this.less(items[c]!, last)) {
        break;
      }

      items[i] = items[c]!;
      i = c;
    }

    items[i] = last;
    return top;
  }
}
