/** Kafka did not answer (no broker reachable, or topics could not be created). */
export class KafkaUnreachableError extends Error {
  constructor(
    readonly brokers: readonly string[],
    options?: ErrorOptions,
  ) {
    const cause = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`Kafka at ${brokers.join(',')} is unreachable${cause}`, options);
    this.name = 'KafkaUnreachableError';
  }
}

/** The schema registry did not answer or refused to register the schemas. */
export class RegistryUnreachableError extends Error {
  constructor(
    readonly url: string,
    options?: ErrorOptions,
  ) {
    const cause = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`schema registry at ${url} is unreachable or refused the schema${cause}`, options);
    this.name = 'RegistryUnreachableError';
  }
}

/** A command-line option that cannot work; names the option. */
export class CliUsageError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
    this.name = 'CliUsageError';
  }
}
