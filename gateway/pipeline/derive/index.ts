export { Derivation, type DerivationContext, type DerivedBatch, type DerivedWriter } from './derivation.js';
export { type CorrelationEngine, correlationConfig, type Fact } from './engine.js';
export { FactWriter } from './fact-writer.js';
