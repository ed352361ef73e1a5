/**
 * Which reliable seqs this client has received, so that a gift delivered twice (a resume that overlaps, two
 * connections during a move) reaches the app once, and `lastSeq` for a resume is the highest seq up to which nothing
 * is missing. Seqs may arrive out of order (two RoomService instances sequencing one room race to the bus), so this
 * is a sliding bitmap over the last {@link SeqWindow.size} seqs, as the gateway's and the .NET client's.
 */
export class SeqWindow {
  /** How far behind the highest seq a late arrival is still recognised (minutes of a gift storm). */
  static readonly size = 1024;

  private readonly bits = new Uint32Array(SeqWindow.size / 32);
  private highestSeq = 0;

  /** The highest seq marked so far (0 before any). */
  get highest(): number {
    return this.highestSeq;
  }

  /** Marks `seq`; false when it was seen before or is too old to tell (then it is dropped). */
  tryMark(seq: number): boolean {
    if (!Number.isSafeInteger(seq) || seq <= 0) {
      return false;
    }

    if (seq > this.highestSeq) {
      if (seq - this.highestSeq >= SeqWindow.size) {
        this.bits.fill(0);
      } else {
        for (let s = this.highestSeq + 1; s <= seq; s++) {
          this.clear(s);
        }
      }

      this.highestSeq = seq;
      this.set(seq);
      return true;
    }

    if (seq <= this.highestSeq - SeqWindow.size || this.isSet(seq)) {
      return false;
    }

    this.set(seq);
    return true;
  }

  /** The highest seq up to which nothing after `floor` is missing (within the window). */
  contiguousFrom(floor: number): number {
    const start = Math.max(floor + 1, this.highestSeq - SeqWindow.size + 1);
    for (let s = start; s <= this.highestSeq; s++) {
      if (!this.isSet(s)) {
        return s - 1;
      }
    }

    return Math.max(floor, this.highestSeq);
  }

  private slot(seq: number): [number, number] {
    const index = seq % SeqWindow.size;
    return [index >>> 5, 1 << (index & 31)];
  }

  private set(seq: number): void {
    const [word, mask] = this.slot(seq);
    this.bits[word]! |= mask;
  }

  private clear(seq: number): void {
    const [word, mask] = this.slot(seq);
    this.bits[word]! &= ~mask;
  }

  private isSet(seq: number): boolean {
    const [word, mask] = this.slot(seq);
    return (this.bits[word]! & mask) !== 0;
  }
}
