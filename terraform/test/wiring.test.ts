// The wiring of terraform/: what `terraform validate` would check if providers could be downloaded
// here. Every module call passes only variables its module declares and every variable without a
// default; every var., local., module.<call>.<output>, data. and resource reference names
// something declared; and every `moved` block lands on an address that exists in the new module
// tree (module calls, count/for_each instances, for_each keys), so that a state written before a
// refactoring is moved instead of destroyed and recreated.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

interface Hcl2Json {
  parse(fileName: string, contents: string): Promise<Record<string, unknown>>;
}
const hcl2json = createRequire(import.meta.url)('@cdktf/hcl2json') as Hcl2Json;
const TERRAFORM_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

type Block = Record<string, unknown>;
type Named = Record<string, Block[]>;

/** One directory of .tf files: its declarations and its expressions. */
interface Dir {
  dir: string;
  variables: Named;
  outputs: Named;
  locals: Set<string>;
  modules: Named;
  resources: Record<string, Named>;
  data: Record<string, Named>;
  moved: { from: string; to: string }[];
  /** Every string of the directory's blocks, for reference scanning. */
  strings: string[];
  /** Names declared twice (in one file or across the directory's files). */
  duplicates: string[];
}

const META_ARGUMENTS = new Set(['source', 'count', 'for_each', 'depends_on', 'providers', 'version']);

function strings(value: unknown, out: string[]): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.push(k); // object keys can be expressions too
      strings(v, out);
    }
  return out;
}

async function loadDir(relativeDir: string): Promise<Dir> {
  const d: Dir = {
    dir: relativeDir,
    variables: {},
    outputs: {},
    locals: new Set(),
    modules: {},
    resources: {},
    data: {},
    moved: [],
    strings: [],
    duplicates: [],
  };
  const seen = new Set<string>();
  const declare = (name: string): void => {
    if (seen.has(name)) d.duplicates.push(`${relativeDir}: ${name} is declared twice`);
    seen.add(name);
  };
  const abs = path.join(TERRAFORM_DIR, relativeDir);
  for (const file of readdirSync(abs).filter((f) => f.endsWith('.tf'))) {
    const parsed = await hcl2json.parse(file, readFileSync(path.join(abs, file), 'utf8'));
    for (const [kind, prefix] of [
      ['variable', 'var.'],
      ['output', 'output '],
      ['module', 'module.'],
    ] as const) {
      for (const [name, blocks] of Object.entries((parsed[kind] as Named | undefined) ?? {}))
        for (let i = 0; i < blocks.length; i++) declare(`${prefix}${name}`);
    }
    for (const block of (parsed.locals as Block[] | undefined) ?? [])
      for (const name of Object.keys(block)) declare(`local.${name}`);
    for (const kind of ['resource', 'data'] as const)
      for (const [type, named] of Object.entries((parsed[kind] as Record<string, Named> | undefined) ?? {}))
        for (const [name, blocks] of Object.entries(named))
          for (let i = 0; i < blocks.length; i++) declare(`${kind === 'data' ? 'data.' : ''}${type}.${name}`);
    Object.assign(d.variables, parsed.variable);
    Object.assign(d.outputs, parsed.output);
    Object.assign(d.modules, parsed.module);
    for (const block of (parsed.locals as Block[] | undefined) ?? [])
      for (const name of Object.keys(block)) d.locals.add(name);
    for (const [type, named] of Object.entries((parsed.resource as Record<string, Named>) ?? {}))
      d.resources[type] = { ...d.resources[type], ...named };
    for (const [type, named] of Object.entries((parsed.data as Record<string, Named>) ?? {}))
      d.data[type] = { ...d.data[type], ...named };
    for (const m of (parsed.moved as { from: string; to: string }[] | undefined) ?? [])
      d.moved.push({ from: unwrap(m.from), to: unwrap(m.to) });
    const { moved: _moved, ...rest } = parsed;
    strings(rest, d.strings);
  }
  return d;
}

function unwrap(expression: string): string {
  return expression.replace(/^\$\{(.*)\}$/s, '$1');
}

function tfDirs(): string[] {
  const found: string[] = [];
  for (const group of ['envs', 'modules']) {
    for (const name of readdirSync(path.join(TERRAFORM_DIR, group))) {
      const rel = `${group}/${name}`;
      if (!statSync(path.join(TERRAFORM_DIR, rel)).isDirectory()) continue;
      if (readdirSync(path.join(TERRAFORM_DIR, rel)).some((f) => f.endsWith('.tf'))) found.push(rel);
    }
  }
  return found;
}

const dirs = new Map<string, Dir>();

function callee(from: Dir, call: Block): Dir {
  const rel = path.relative(TERRAFORM_DIR, path.resolve(TERRAFORM_DIR, from.dir, String(call.source)));
  const target = dirs.get(rel);
  if (!target) throw new Error(`${from.dir}: module source ${String(call.source)} is not a module here`);
  return target;
}

function first(blocks: Block[] | undefined): Block | undefined {
  return blocks?.[0];
}

/** Problems with the module calls' arguments (unknown or missing variables). */
function callProblems(d: Dir): string[] {
  const problems: string[] = [];
  for (const [name, blocks] of Object.entries(d.modules)) {
    const call = first(blocks)!;
    const target = callee(d, call);
    for (const arg of Object.keys(call))
      if (!META_ARGUMENTS.has(arg) && !target.variables[arg])
        problems.push(`${d.dir}: module.${name} passes ${arg}, which ${target.dir} does not declare`);
    for (const [variable, vblocks] of Object.entries(target.variables))
      if (!('default' in first(vblocks)!) && !(variable in call))
        problems.push(`${d.dir}: module.${name} misses ${variable}, required by ${target.dir}`);
  }
  return problems;
}

/** Problems with references to undeclared names. */
function referenceProblems(d: Dir): string[] {
  const problems = new Set<string>();
  for (const text of d.strings) {
    if (!text.includes('${')) continue;
    for (const [, v] of text.matchAll(/\bvar\.([a-z0-9_]+)/g))
      if (!d.variables[v!]) problems.add(`${d.dir}: var.${v} is not declared`);
    for (const [, l] of text.matchAll(/\blocal\.([a-z0-9_]+)/g))
      if (!d.locals.has(l!)) problems.add(`${d.dir}: local.${l} is not declared`);
    for (const [, m, out] of text.matchAll(/\bmodule\.([a-z0-9_]+)(?:\[[^\]]*\])?(?:\.([a-z0-9_]+))?/g)) {
      const call = first(d.modules[m!]);
      if (!call) problems.add(`${d.dir}: module.${m} is not declared`);
      else if (out && !callee(d, call).outputs[out])
        problems.add(`${d.dir}: module.${m}.${out} is not an output of ${callee(d, call).dir}`);
    }
    for (const [, type, name] of text.matchAll(/\bdata\.([a-z0-9_]+)\.([a-z0-9_]+)/g))
      if (!d.data[type!]?.[name!]) problems.add(`${d.dir}: data.${type}.${name} is not declared`);
    for (const [, type, name] of text.matchAll(/(?<![.\w])((?:aws|random)_[a-z0-9_]+)\.([a-z0-9_]+)/g))
      if (!d.resources[type!]?.[name!]) problems.add(`${d.dir}: ${type}.${name} is not declared`);
  }
  return [...problems];
}

/**
 * Resolves a moved block's `to` address in the new tree: module calls and the resource must exist,
 * `[0]` needs count, `["key"]` needs for_each and, where the caller's value is visible, that key.
 */
function movedProblems(d: Dir): string[] {
  const problems: string[] = [];
  for (const { from, to } of d.moved) {
    const fromRoot = /^module\.([a-z0-9_]+)$/.exec(from);
    if (fromRoot && d.modules[fromRoot[1]!])
      problems.push(`${d.dir}: moved from ${from}, which still exists`);
    const fromResource = /^([a-z0-9_]+)\.([a-z0-9_]+)$/.exec(from);
    if (fromResource && d.resources[fromResource[1]!]?.[fromResource[2]!])
      problems.push(`${d.dir}: moved from ${from}, which still exists`);

    let current = d;
    const callChain: Block[] = [];
    const parts = to.match(/module\.[a-z0-9_]+(?:\[[^\]]+\])?|[a-z0-9_]+\.[a-z0-9_]+(?:\[[^\]]+\])?$/g) ?? [];
    for (const part of parts) {
      const [, kind, name, key] = /^(module\.)?([a-z0-9_.]+?)(?:\[(.+)\])?$/.exec(part)!;
      if (kind) {
        const call = first(current.modules[name!]);
        if (!call) {
          // A chained move: the module's own moved blocks carry on from this (former) call, e.g.
          // envs move module.scorer to module.stack.module.scorer and modules/stack moves
          // module.scorer.<resource> to its new address.
          const chained = current.moved.some((m) => m.from.startsWith(`module.${name}.`));
          if (!chained || part !== parts[parts.length - 1])
            problems.push(`${d.dir}: moved to ${to}: no module ${name} in ${current.dir}`);
          break;
        }
        if (key !== undefined && call.count === undefined && call.for_each === undefined)
          problems.push(`${d.dir}: moved to ${to}: module ${name} has no count or for_each`);
        callChain.push(call);
        current = callee(current, call);
      } else {
        const [type, resourceName] = name!.split('.') as [string, string];
        const fromType = /([a-z0-9_]+)\.[a-z0-9_]+(?:\[[^\]]+\])?$/.exec(from)?.[1];
        if (!from.endsWith(']') && /^module\.[a-z0-9_]+$/.test(from))
          problems.push(`${d.dir}: moved ${from} (a module) to a resource ${to}`);
        else if (fromType !== type) problems.push(`${d.dir}: moved a ${fromType} to a ${type} (${to})`);
        const block = first(current.resources[type]?.[resourceName]);
        if (!block) {
          problems.push(`${d.dir}: moved to ${to}: no ${type}.${resourceName} in ${current.dir}`);
          break;
        }
        // A whole-resource move (no key on either side) carries every instance over.
        const multi = block.count !== undefined || block.for_each !== undefined;
        if (key === undefined && multi && /\]$/.test(from))
          problems.push(`${d.dir}: moved to ${to}: ${type}.${resourceName} needs an instance key`);
        if (key !== undefined && /^\d+$/.test(key) && block.count === undefined)
          problems.push(`${d.dir}: moved to ${to}: ${type}.${resourceName} has no count`);
        if (key !== undefined && key.startsWith('"')) {
          if (block.for_each === undefined)
            problems.push(`${d.dir}: moved to ${to}: ${type}.${resourceName} has no for_each`);
          // for_each = var.X: the key must appear in what the caller passes as X, or in what its
          // own caller passes for the variable that X is built from.
          const viaVar = /^\$\{var\.([a-z0-9_]+)\}$/.exec(String(block.for_each));
          if (viaVar) {
            const wanted = JSON.parse(key) as string;
            let variable: string | undefined = viaVar[1];
            let passed = '';
            let found = false;
            for (let i = callChain.length - 1; i >= 0 && variable && !found; i--) {
              passed = JSON.stringify(callChain[i]![variable] ?? null);
              found = passed.includes(`"${wanted}"`) || passed.includes(`\\"${wanted}\\"`);
              variable = /var\.([a-z0-9_]+)/.exec(passed)?.[1];
            }
            if (!found) problems.push(`${d.dir}: moved to ${to}: key ${key} is not among ${passed}`);
          }
        }
      }
    }
  }
  return problems;
}

beforeAll(async () => {
  for (const dir of tfDirs()) dirs.set(dir, await loadDir(dir));
});

describe('terraform: wiring (what validate would check)', () => {
  it('declares every name once per module', () => {
    expect([...dirs.values()].flatMap((d) => d.duplicates)).toEqual([]);
  });

  it('module calls pass exactly the variables their modules declare', () => {
    expect([...dirs.values()].flatMap(callProblems)).toEqual([]);
  });

  it('every reference names a declared variable, local, module output, data source or resource', () => {
    expect([...dirs.values()].flatMap(referenceProblems)).toEqual([]);
  });

  it('every moved block lands on an address of the new module tree', () => {
    const all = [...dirs.values()];
    expect(all.flatMap((d) => d.moved).length).toBeGreaterThan(40);
    expect(all.flatMap(movedProblems)).toEqual([]);
  });

  it('finds a wrong reference, a wrong argument and a moved block into nothing', () => {
    const stack = dirs.get('modules/stack')!;
    const broken: Dir = {
      ...stack,
      dir: 'modules/stack',
      modules: { ...stack.modules, api_service: [{ ...first(stack.modules.api_service)!, replicas: 3 }] },
      strings: [...stack.strings, '${module.scorer_service.no_such_output}'],
      moved: [
        { from: 'module.old_api', to: 'module.api_service.aws_ecs_service.this["x"]' },
        {
          from: 'module.old_api.aws_iam_role_policy.task',
          to: 'module.api_service.module.task_role.aws_iam_role_policy.this["no-such-policy"]',
        },
        {
          from: 'module.old_api.aws_iam_role.task',
          to: 'module.api_service.module.task_role.aws_iam_role_policy.this["read-models"]',
        },
      ],
    };
    expect(callProblems(broken)).toContain(
      'modules/stack: module.api_service passes replicas, which modules/ecs-service does not declare',
    );
    expect(referenceProblems(broken)).toContain(
      'modules/stack: module.scorer_service.no_such_output is not an output of modules/ecs-service',
    );
    const moved = movedProblems(broken).join('\n');
    expect(moved).toMatch(/aws_ecs_service.this has no for_each/);
    expect(moved).toMatch(/key "no-such-policy" is not among/);
    expect(moved).toMatch(/moved a aws_iam_role to a aws_iam_role_policy/);
  });
});
