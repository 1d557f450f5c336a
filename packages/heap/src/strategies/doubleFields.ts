// V8 keeps a number field as a small integer until the first store of a fraction or a value past the
// integer range, then changes the object's shape and throws away every optimized method that read it.
// A heap whose counters or addresses become doubles during a run makes those fields doubles when it is
// built instead (seen with `node --trace-generalization` and `--trace-deopt`).

/** Makes each of `keys` a double field of `object`, leaving its value what it was. */
export function makeDoubleFields(object: object, keys: readonly string[]): void {
  const fields = object as Record<string, number>;
  for (const key of keys) {
    const value = fields[key] as number;
    fields[key] = 0.5;
    fields[key] = value;
  }
}
