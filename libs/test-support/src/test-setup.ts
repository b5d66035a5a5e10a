/**
 * Runs in every integration test worker before its test file: the workers run kafkajs, whose
 * negative timers make Node 24 print a TimeoutNegativeWarning per process (noise, not a fault).
 */
import { silenceTimeoutNegativeWarnings } from '@fraud/runtime';

silenceTimeoutNegativeWarnings();
