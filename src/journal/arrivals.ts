// Items on their way to a group commit. Work that will add an item announces it when it starts and
// settles the announcement when it adds the item (or gives up without one), so a commit about to
// start can tell whether more items are coming and wait a little for them (group-commit.ts, `gather`).
// For the audit trail: a hook call announces its record when the handler starts; each durable write
// costs ~120 µs of CPU on this machine, most of it the disk's doorbell and interrupt, whatever its size.

export class Arrivals {
  private announced = 0;

  /** Items announced and not yet added. */
  get pending(): number {
    return this.announced;
  }

  /** One more item is coming; the function returned says it arrived or will not (idempotent). */
  announce(): () => void {
    this.announced += 1;
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.announced -= 1;
    };
  }
}
