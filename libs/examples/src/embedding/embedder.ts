/**
 * Turns texts into unit-length vectors whose dot product is their cosine similarity. `name`
 * says which embedder (and version) made a vector: it is stored beside each example, and
 * vectors of different embedders are never compared.
 */
export interface Embedder {
  readonly name: string;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** Scales `vector` to unit length in place (a zero vector stays zero); returns it. */
export function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  if (sum === 0) return vector;
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i++) vector[i]! *= scale;
  return vector;
}
