/**
 * Whether a schema registry call failed because the subject, version or schema does not exist (as
 * opposed to the registry being down). The client keeps the HTTP status on some errors and wraps
 * others into a message without it: Confluent answers "Subject/Schema not found" (error codes
 * 40401/40403), Apicurio "No artifact with ID ... was found".
 */
export function isRegistryNotFound(error: unknown): boolean {
  const status =
    typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
  return status === 404 || /not found|no artifact|40401|40403/i.test(String(error));
}
