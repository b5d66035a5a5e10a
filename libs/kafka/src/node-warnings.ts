/** kafkajs' negative timers make Node 24 print TimeoutNegativeWarning; one filter for all (@fraud/runtime). */
export { silenceTimeoutNegativeWarnings as silenceKafkajsTimeoutWarnings } from '@fraud/runtime';
