export { prf, type PrfScore, type Clusters } from './metric.types';
export { exactMentionScore, overlapMentionScore, spanKey, type ScoredSpan } from './mention-metrics';
export { scoreCoreference, mucScore, b3Score, ceafeScore, type CoreferenceScores } from './coreference-metrics';
export { scoreClustering, adjustedRandIndex, vMeasure, type ClusteringScores } from './clustering-metrics';
export { maxWeightAssignment } from './assignment-solver';
