/** Test helpers (not for production code): `@fraud/scoring/testing`. */
export { copyModels, type TestModels } from './test-models.ts';
