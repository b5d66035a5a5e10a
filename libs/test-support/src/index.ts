export { createTopics, stackSettings, testKafka, uniqueName, type StackSettings } from './stack.ts';
export { seededRandom } from './random.ts';
export { freePort, waitForRedis } from './local-servers.ts';
