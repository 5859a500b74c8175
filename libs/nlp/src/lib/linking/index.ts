export { linkDocuments } from './link-documents';
export { DEFAULT_LINK_OPTIONS, type LinkOptions } from './link.options';
export { emptyLinkState, checkLinkState } from './link-state';
export { LinkStateError } from './linking.errors';
export { coreferenceKey } from './event-coreference';
export { DEFAULT_FEATURE_OPTIONS, type FeatureOptions } from './term-features';
export { consistentTriggers, DEFAULT_CONSISTENCY_OPTIONS, type ConsistencyOptions } from './trigger-consistency';
