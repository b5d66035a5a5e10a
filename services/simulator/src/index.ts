export {
  SimulationOptionsError,
  compileSimulationOptions,
  simulate,
  type CompiledSimulationOptions,
  type SimulationOptions,
} from './simulate.ts';
export { TYPOLOGIES, type Typology } from './fraud.ts';
export { produceToKafka, type KafkaProduceOptions, type KafkaProduceSummary } from './kafka-producer.ts';
