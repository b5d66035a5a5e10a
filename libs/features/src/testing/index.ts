// `@fraud/features/testing`: test-only helpers other packages' tests use.
export { redisSnapshot } from './redis-snapshot.ts';
