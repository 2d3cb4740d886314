// Peaks of audio samples per pixel column, for drawing a waveform.

/** The min and max sample of each of `columns` equal slices of `samples`. */
export function peaks(samples: ArrayLike<number>, columns: number): { min: Float32Array; max: Float32Array } {
  const n = Math.max(1, Math.floor(columns));
  const min = new Float32Array(n);
  const max = new Float32Array(n);
  const per = samples.length / n;
  for (let c = 0; c < n; c += 1) {
    const start = Math.floor(c * per);
    const end = Math.max(start + 1, Math.floor((c + 1) * per));
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i < end && i < samples.length; i += 1) {
      const v = samples[i] as number;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    min[c] = Number.isFinite(lo) ? lo : 0;
    max[c] = Number.isFinite(hi) ? hi : 0;
  }
  return { min, max };
}
