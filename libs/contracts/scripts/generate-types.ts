/**
 * Generates TypeScript types from schemas/*.avsc into libs/contracts/src/generated/.
 *
 *   tsx libs/contracts/scripts/generate-types.ts          write the files
 *   tsx libs/contracts/scripts/generate-types.ts --check  exit 1 if they are stale (CI)
 *
 * Hand-written because the maintained generator (@ovotech/avro-ts) pins TypeScript 4 as a peer
 * dependency, and the subset of Avro our contracts use (records, enums, arrays, nullable unions,
 * primitives, timestamp-millis) fits in a page.
 */
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type AvroSchema = string | AvroSchema[] | { type: string | AvroSchema; [key: string]: unknown };
interface AvroField {
  name: string;
  type: AvroSchema;
  doc?: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const schemaDir = path.join(root, 'schemas');
const outFile = path.join(root, 'libs/contracts/src/generated/types.generated.ts');

const PRIMITIVES: Record<string, string> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  string: 'string',
  bytes: 'Buffer',
};

function generate(): string {
  const declared = new Map<string, string>(); // short name -> declaration
  const fullNames = new Map<string, string>(); // full name -> short name

  const typeOf = (schema: AvroSchema, namespace: string): string => {
    if (typeof schema === 'string') {
      if (schema in PRIMITIVES) return PRIMITIVES[schema]!;
      const short = fullNames.get(schema) ?? fullNames.get(`${namespace}.${schema}`);
      if (!short) throw new Error(`unknown named type ${schema}`);
      return short;
    }
    if (Array.isArray(schema)) return schema.map((s) => typeOf(s, namespace)).join(' | ');
    const { type } = schema;
    if (typeof type !== 'string') return typeOf(type, namespace);
    if (type === 'record' || type === 'enum') {
      const name = schema.name as string;
      const ns = (schema.namespace as string | undefined) ?? namespace;
      const full = `${ns}.${name}`;
      if (fullNames.has(full)) return name; // same type declared again in another schema file
      fullNames.set(full, name);
      const doc = typeof schema.doc === 'string' ? `/** ${schema.doc} */\n` : '';
      if (type === 'enum') {
        const symbols = schema.symbols as string[];
        declared.set(
          name,
          `${doc}export type ${name} = ${symbols.map((s) => `'${s}'`).join(' | ')};\n` +
            `export const ${name}Values = [${symbols.map((s) => `'${s}'`).join(', ')}] as const;\n`,
        );
      } else {
        const fields = (schema.fields as AvroField[]).map((f) => {
          const fieldType = typeOf(f.type, ns);
          const fdoc = f.doc ? `  /** ${f.doc} */\n` : '';
          return `${fdoc}  ${f.name}: ${fieldType};`;
        });
        declared.set(name, `${doc}export interface ${name} {\n${fields.join('\n')}\n}\n`);
      }
      return name;
    }
    if (type === 'array') return `${typeOf(schema.items as AvroSchema, namespace)}[]`;
    if (type === 'map') return `Record<string, ${typeOf(schema.values as AvroSchema, namespace)}>`;
    if (type in PRIMITIVES) return PRIMITIVES[type]!; // includes logical types on primitives
    throw new Error(`unsupported Avro type ${type}`);
  };

  const files = readdirSync(schemaDir)
    .filter((f) => f.endsWith('.avsc'))
    .sort();
  for (const file of files) {
    typeOf(JSON.parse(readFileSync(path.join(schemaDir, file), 'utf8')) as AvroSchema, '');
  }
  const header =
    '// GENERATED FILE: do not edit by hand.\n' +
    `// Source: schemas/{${files.join(',')}}; regenerate with \`npm run gen:contracts\`.\n\n`;
  return header + [...declared.values()].join('\n');
}

const text = generate();
if (process.argv.includes('--check')) {
  const current = existsSync(outFile) ? readFileSync(outFile, 'utf8') : '';
  if (current !== text) {
    console.error(`${path.relative(root, outFile)} is stale: run \`npm run gen:contracts\``);
    process.exit(1);
  }
  console.log('generated contract types are up to date');
} else {
  writeFileSync(outFile, text);
  console.log(`wrote ${path.relative(root, outFile)}`);
}
