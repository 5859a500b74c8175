/** One example of a linear model: its sparse features and the index of its gold label. */
export interface LabelledExample {
  features: string[];
  gold: number;
}

/** Where trainers report progress (the console in `nx run nlp:train`, nothing in tests). */
export type TrainingLog = (line: string) => void;
