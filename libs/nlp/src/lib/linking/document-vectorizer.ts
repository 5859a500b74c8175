import { normalised, toSparse, type SparseVector } from './sparse-vector';

/** Interns feature names to dense ids and computes tf-idf weights against a document-frequency table. */
export class FeatureSpace {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly idfs: number[] = [];

  constructor(
    /** Document frequency by feature name (prototype-free: any name is a key). */
    private readonly documentFrequency: Readonly<Record<string, number>>,
    private readonly documentCount: number,
  ) {}

  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
      this.idfs.push(this.idf(name));
    }
    return id;
  }

  name(id: number): string {
    return this.names[id];
  }

  /** Smoothed inverse document frequency, ln((N + 1) / (df + 1)) + 1. */
  idf(name: string): number {
    return Math.log((this.documentCount + 1) / ((this.documentFrequency[name] ?? 0) + 1)) + 1;
  }

  /** Unit tf-idf vector of raw feature counts (sublinear term frequency). */
  vector(counts: ReadonlyMap<string, number>): SparseVector {
    const weights = new Map<number, number>();
    for (const [name, count] of counts) {
      const id = this.id(name);
      weights.set(id, (1 + Math.log(count)) * this.idfs[id]);
    }
    return normalised(toSparse(weights));
  }

  /** A stored centroid (feature name -> weight) as a vector of this space. */
  fromRecord(record: Record<string, number>): SparseVector {
    const weights = new Map<number, number>();
    for (const [name, weight] of Object.entries(record)) weights.set(this.id(name), weight);
    return toSparse(weights);
  }
}
