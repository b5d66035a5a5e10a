/**
 * Partial selection of the k largest of `values[0 .. count)`: writes their indices, largest value
 * first, ties by lower index, to `out[outOffset .. outOffset + min(k, count))` and returns how many
 * it wrote. O(count x k) with no allocation; for the handful of reason codes a decision carries
 * that beats sorting every feature.
 */
export function selectTopK(
  values: Float64Array,
  count: number,
  k: number,
  out: Int32Array,
  outOffset = 0,
): number {
  const size = Math.max(0, Math.min(k, count));
  let filled = 0;
  for (let i = 0; i < count; i++) {
    const v = values[i]!;
    let j: number;
    if (filled < size) {
      j = filled++;
    } else if (size > 0 && v > values[out[outOffset + size - 1]!]!) {
      j = size - 1;
    } else {
      continue;
    }
    // Shift smaller entries down; an equal one stays ahead (it has the lower index).
    while (j > 0 && values[out[outOffset + j - 1]!]! < v) {
      out[outOffset + j] = out[outOffset + j - 1]!;
      j--;
    }
    out[outOffset + j] = i;
  }
  return size;
}
