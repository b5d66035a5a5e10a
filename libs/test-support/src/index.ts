export { createTopics, stackSettings, testKafka, uniqueName, type StackSettings } from './stack.ts';
