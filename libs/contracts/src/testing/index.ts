// `@fraud/contracts/testing`: test-only helpers other packages' integration tests use.
export { createDecisionLabelTopics, testDecision, type DecisionLabelTopics } from './decision-topics.ts';
