import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';

const schemaDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../schemas');

export type ContractName = 'transaction' | 'fraud-decision' | 'fraud-alert' | 'fraud-label';

/** The schema text exactly as committed in schemas/ (what gets registered). */
export function schemaText(name: ContractName): string {
  return readFileSync(path.join(schemaDir, `${name}.avsc`), 'utf8');
}

const typeCache = new Map<ContractName, avro.Type>();

/** The avsc type of a contract: the reader schema this code base is compiled against. */
export function contractType(name: ContractName): avro.Type {
  let type = typeCache.get(name);
  if (!type) {
    type = avro.Type.forSchema(JSON.parse(schemaText(name)) as avro.Schema);
    typeCache.set(name, type);
  }
  return type;
}
