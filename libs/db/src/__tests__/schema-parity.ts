/**
 * Test-only (scripts/compile.mjs leaves __tests__ folders out of the build): compares a migrated Postgres
 * schema with what `prisma/schema.prisma` says Prisma Migrate would have created, and lists
 * every difference as one readable line.
 *
 * The expected side comes from Prisma's own parser (`getDMMF`, offline wasm); the actual side
 * from information_schema and pg_catalog. Anything the check does not model yet (implicit
 * many-to-many tables, multi-schema models, unknown native types or defaults) is reported as a
 * mismatch too, so extending the schema can never make the check pass by ignoring something.
 */
import { getDMMF } from '@prisma/internals';
import type { Client } from 'pg';

type Datamodel = Awaited<ReturnType<typeof getDMMF>>['datamodel'];
type Model = Datamodel['models'][number];
type Field = Model['fields'][number];

/** Prisma's naming convention truncates generated constraint names to Postgres' 63 bytes. */
const MAX_IDENTIFIER = 63;
const BOOKKEEPING_TABLE = '_prisma_migrations';

/** Defaults Prisma Client fills in itself: the column has no database default. */
const CLIENT_SIDE_DEFAULTS = new Set(['uuid', 'cuid', 'nanoid', 'ulid']);

const REFERENTIAL_ACTIONS: Record<string, string> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};
/** pg_constraint.confdeltype / confupdtype codes. */
const PG_ACTIONS: Record<string, string> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

/** Element type names of array columns, from their udt_name without the leading underscore. */
const UDT_NAMES: Record<string, string> = {
  text: 'text',
  varchar: 'character varying',
  bpchar: 'character',
  uuid: 'uuid',
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  numeric: 'numeric',
  bool: 'boolean',
  timestamptz: 'timestamp with time zone',
  timestamp: 'timestamp without time zone',
  date: 'date',
  time: 'time without time zone',
  timetz: 'time with time zone',
  json: 'json',
  jsonb: 'jsonb',
  bytea: 'bytea',
  xml: 'xml',
  inet: 'inet',
  oid: 'oid',
  money: 'money',
};

type ExpectedDefault =
  | { kind: 'none' }
  | { kind: 'now' }
  | { kind: 'autoincrement' }
  | { kind: 'dbgenerated' }
  /** text: the value as Postgres should parse it; shown: as written in schema.prisma. */
  | { kind: 'literal'; text: string; shown: string }
  | { kind: 'unsupported'; what: string };

interface ExpectedColumn {
  type: string;
  nullable: boolean;
  default: ExpectedDefault;
}

interface ActualColumn {
  type: string;
  /** format_type(): a type name usable in a cast, for evaluating literal defaults. */
  sqlType: string;
  nullable: boolean;
  default: string | null;
}

/** Index or foreign key, keyed by what it covers; the name is compared separately. */
interface Named<T = undefined> {
  name: string;
  detail: T;
}

interface TableShape<C> {
  columns: Map<string, C>;
  primaryKey: { name: string; columns: string[] } | null;
  /** key: `unique (a, b)` / `index (a DESC)` / `index (a) USING hash` */
  indexes: Map<string, Named>;
  /** key: `(a) REFERENCES t(id)`; detail: `ON DELETE … ON UPDATE …` */
  foreignKeys: Map<string, Named<string>>;
}

interface Shape<C> {
  tables: Map<string, TableShape<C>>;
  enums: Map<string, string[]>;
  /** Things the comparison cannot judge; always reported. */
  problems: string[];
}

export type ExpectedShape = Shape<ExpectedColumn>;
export type ActualShape = Shape<ActualColumn>;

// ---------------------------------------------------------------------------------------------
// Expected: schema.prisma as Prisma Migrate would render it for PostgreSQL
// ---------------------------------------------------------------------------------------------

function truncatedName(base: string, suffix: string): string {
  return base.length >= MAX_IDENTIFIER - suffix.length
    ? `${base.slice(0, MAX_IDENTIFIER - suffix.length)}${suffix}`
    : `${base}${suffix}`;
}

/** Prisma's default constraint names (psl ConstraintNames), for ASCII identifiers. */
export const prismaNames = {
  primaryKey: (table: string) => truncatedName(table, '_pkey'),
  unique: (table: string, columns: string[]) => truncatedName(`${table}_${columns.join('_')}`, '_key'),
  index: (table: string, columns: string[]) => truncatedName(`${table}_${columns.join('_')}`, '_idx'),
  foreignKey: (table: string, columns: string[]) => truncatedName(`${table}_${columns.join('_')}`, '_fkey'),
};

function expectedScalarType(field: Field, enumNames: Map<string, string>): string {
  if (field.kind === 'enum') return `enum "${enumNames.get(field.type) ?? field.type}"`;
  const [native, args = []] = (field.nativeType as [string, string[]] | null | undefined) ?? [undefined, []];
  const precision = (fallback: number) => args[0] ?? String(fallback);
  switch (field.type) {
    case 'String':
      if (native === undefined || native === 'Text') return 'text';
      if (native === 'Uuid') return 'uuid';
      if (native === 'VarChar') return args[0] ? `character varying(${args[0]})` : 'character varying';
      if (native === 'Char') return `character(${precision(1)})`;
      if (native === 'Xml') return 'xml';
      if (native === 'Inet') return 'inet';
      break;
    case 'Int':
      if (native === undefined || native === 'Integer') return 'integer';
      if (native === 'SmallInt') return 'smallint';
      if (native === 'Oid') return 'oid';
      break;
    case 'BigInt':
      if (native === undefined || native === 'BigInt') return 'bigint';
      break;
    case 'Float':
      if (native === undefined || native === 'DoublePrecision') return 'double precision';
      if (native === 'Real') return 'real';
      break;
    case 'Decimal':
      if (native === undefined) return 'numeric(65,30)';
      if (native === 'Decimal') return args.length ? `numeric(${args[0]},${args[1] ?? 0})` : 'numeric';
      if (native === 'Money') return 'money';
      break;
    case 'Boolean':
      if (native === undefined || native === 'Boolean') return 'boolean';
      break;
    case 'DateTime':
      if (native === undefined) return 'timestamp without time zone(3)';
      if (native === 'Timestamp') return `timestamp without time zone(${precision(6)})`;
      if (native === 'Timestamptz') return `timestamp with time zone(${precision(6)})`;
      if (native === 'Date') return 'date(0)';
      if (native === 'Time') return `time without time zone(${precision(6)})`;
      if (native === 'Timetz') return `time with time zone(${precision(6)})`;
      break;
    case 'Json':
      if (native === undefined || native === 'JsonB') return 'jsonb';
      if (native === 'Json') return 'json';
      break;
    case 'Bytes':
      if (native === undefined || native === 'ByteA') return 'bytea';
      break;
  }
  return `unsupported: ${field.type}${native ? ` @db.${native}(${args.join(',')})` : ''}`;
}

function expectedType(field: Field, enumNames: Map<string, string>): string {
  const scalar = expectedScalarType(field, enumNames);
  // information_schema reports no precision or length for array elements.
  return field.isList ? `${scalar.replace(/\(.*\)$/, '')}[]` : scalar;
}

function pgArrayLiteral(values: unknown[]): string {
  return `{${values.map((value) => `"${String(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

function expectedDefault(field: Field, enumValues: Map<string, Map<string, string>>): ExpectedDefault {
  if (!field.hasDefaultValue || field.default === undefined) return { kind: 'none' };
  const value = field.default as unknown;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'name' in value) {
    const name = String((value as { name: unknown }).name);
    if (name === 'now') return { kind: 'now' };
    if (name === 'autoincrement' || name === 'sequence') return { kind: 'autoincrement' };
    if (name === 'dbgenerated') return { kind: 'dbgenerated' };
    if (CLIENT_SIDE_DEFAULTS.has(name)) return { kind: 'none' };
    return { kind: 'unsupported', what: `@default(${name}())` };
  }
  if (field.kind === 'enum') {
    // Enum defaults are given by value name; the database holds the value's @map.
    const dbValue = (v: unknown) => enumValues.get(field.type)?.get(String(v)) ?? String(v);
    return {
      kind: 'literal',
      text: Array.isArray(value) ? pgArrayLiteral(value.map(dbValue)) : dbValue(value),
      shown: Array.isArray(value) ? `[${value.join(', ')}]` : String(value),
    };
  }
  const quoted = ['String', 'Json', 'DateTime', 'Bytes'].includes(field.type);
  const show = (v: unknown) => (quoted ? JSON.stringify(v) : String(v));
  if (Array.isArray(value))
    return { kind: 'literal', text: pgArrayLiteral(value), shown: `[${value.map(show).join(', ')}]` };
  return { kind: 'literal', text: typeof value === 'string' ? value : JSON.stringify(value), shown: show(value) };
}

function referentialAction(field: Field, fromFieldsRequired: boolean, which: 'onDelete' | 'onUpdate'): string {
  const explicit =
    which === 'onDelete' ? field.relationOnDelete : (field as { relationOnUpdate?: string }).relationOnUpdate;
  // Prisma's defaults: ON DELETE RESTRICT for required relations, SET NULL for optional ones;
  // ON UPDATE CASCADE.
  const action = explicit ?? (which === 'onUpdate' ? 'Cascade' : fromFieldsRequired ? 'Restrict' : 'SetNull');
  return REFERENTIAL_ACTIONS[action] ?? `unsupported ${action}`;
}

/** What Prisma Migrate would create for `datamodel` (the text of schema.prisma). */
export async function expectedShape(datamodel: string): Promise<ExpectedShape> {
  const dmmf = (await getDMMF({ datamodel })).datamodel;
  const problems: string[] = [];
  const enumNames = new Map(dmmf.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const enumValues = new Map(
    dmmf.enums.map((e) => [e.name, new Map(e.values.map((v) => [v.name, v.dbName ?? v.name]))]),
  );
  const enums = new Map(dmmf.enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)]));
  const models = new Map(dmmf.models.map((m) => [m.name, m]));
  const tableOf = (model: Model) => model.dbName ?? model.name;
  const columnOf = (model: Model, fieldName: string) => {
    const field = model.fields.find((f) => f.name === fieldName);
    if (!field) throw new Error(`schema.prisma: ${model.name}.${fieldName} not found`);
    return field.dbName ?? field.name;
  };

  const tables = new Map<string, TableShape<ExpectedColumn>>();
  for (const model of dmmf.models) {
    const table = tableOf(model);
    if (model.schema) problems.push(`${table}: multi-schema models (@@schema) are not covered by the parity check`);
    const columns = new Map<string, ExpectedColumn>();
    for (const field of model.fields) {
      if (field.kind === 'object') continue;
      const column: ExpectedColumn = {
        type: expectedType(field, enumNames),
        // Prisma Migrate renders scalar lists without NOT NULL.
        nullable: !field.isRequired || field.isList,
        default: expectedDefault(field, enumValues),
      };
      if (column.type.startsWith('unsupported'))
        problems.push(`${table}.${field.dbName ?? field.name}: type ${column.type} is not covered by the parity check`);
      if (column.default.kind === 'unsupported')
        problems.push(
          `${table}.${field.dbName ?? field.name}: ${column.default.what} is not covered by the parity check`,
        );
      columns.set(field.dbName ?? field.name, column);
    }
    tables.set(table, { columns, primaryKey: null, indexes: new Map(), foreignKeys: new Map() });
  }

  for (const index of dmmf.indexes) {
    const model = models.get(index.model)!;
    const table = tableOf(model);
    const shape = tables.get(table)!;
    const columns = index.fields.map((f) => columnOf(model, f.name));
    if (index.type === 'id') {
      shape.primaryKey = { name: index.dbName ?? prismaNames.primaryKey(table), columns };
    } else if (index.type === 'unique' || index.type === 'normal') {
      const unique = index.type === 'unique';
      const rendered = index.fields.map((f) => `${columnOf(model, f.name)}${f.sortOrder === 'desc' ? ' DESC' : ''}`);
      const using =
        index.algorithm && index.algorithm.toLowerCase() !== 'btree' ? ` USING ${index.algorithm.toLowerCase()}` : '';
      const key = `${unique ? 'unique' : 'index'} (${rendered.join(', ')})${using}`;
      const name = index.dbName ?? (unique ? prismaNames.unique(table, columns) : prismaNames.index(table, columns));
      shape.indexes.set(key, { name, detail: undefined });
    } else {
      problems.push(`${table}: ${index.type} index on (${columns.join(', ')}) is not covered by the parity check`);
    }
  }

  for (const model of dmmf.models) {
    const table = tableOf(model);
    for (const field of model.fields) {
      if (field.kind !== 'object') continue;
      const from = field.relationFromFields ?? [];
      if (from.length === 0) {
        const other = models.get(field.type)!.fields.find((f) => f.relationName === field.relationName && f !== field);
        if (field.isList && other?.isList)
          problems.push(
            `${table}: implicit many-to-many relation ${field.relationName} is not covered by the parity check`,
          );
        continue;
      }
      const target = models.get(field.type)!;
      const columns = from.map((name) => columnOf(model, name));
      const references = (field.relationToFields ?? []).map((name) => columnOf(target, name));
      const required = from.some((name) => model.fields.find((f) => f.name === name)!.isRequired);
      // Note: DMMF does not expose @relation(map: …); such a name would show as a name mismatch.
      tables
        .get(table)!
        .foreignKeys.set(`(${columns.join(', ')}) REFERENCES ${tableOf(target)}(${references.join(', ')})`, {
          name: prismaNames.foreignKey(table, columns),
          detail: `ON DELETE ${referentialAction(field, required, 'onDelete')} ON UPDATE ${referentialAction(field, required, 'onUpdate')}`,
        });
    }
  }
  return { tables, enums, problems };
}

// ---------------------------------------------------------------------------------------------
// Actual: the database schema, from information_schema and pg_catalog
// ---------------------------------------------------------------------------------------------

interface ColumnRow {
  table_name: string;
  column_name: string;
  data_type: string;
  udt_schema: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
  datetime_precision: number | null;
  character_maximum_length: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
  sql_type: string;
}

function actualType(row: ColumnRow, schema: string, enumNames: Set<string>): string {
  const enumType = (udtSchema: string, name: string) =>
    udtSchema === schema ? `enum "${name}"` : `enum ${udtSchema}."${name}"`;
  switch (row.data_type) {
    case 'ARRAY': {
      const element = row.udt_name.replace(/^_/, '');
      if (enumNames.has(element) && row.udt_schema === schema) return `${enumType(row.udt_schema, element)}[]`;
      return `${UDT_NAMES[element] ?? element}[]`;
    }
    case 'USER-DEFINED':
      return enumType(row.udt_schema, row.udt_name);
    case 'timestamp with time zone':
    case 'timestamp without time zone':
    case 'time with time zone':
    case 'time without time zone':
    case 'date':
      return `${row.data_type}(${row.datetime_precision})`;
    case 'character varying':
    case 'character':
      return row.character_maximum_length == null ? row.data_type : `${row.data_type}(${row.character_maximum_length})`;
    case 'numeric':
      return row.numeric_precision == null ? 'numeric' : `numeric(${row.numeric_precision},${row.numeric_scale})`;
    default:
      return row.data_type;
  }
}

/** Reads tables, columns, enums, keys, indexes and foreign keys of `schema`. */
export async function actualShape(client: Client, schema: string): Promise<ActualShape> {
  const problems: string[] = [];
  const tables = new Map<string, TableShape<ActualColumn>>();

  const tableRows = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' AND table_name <> $2`,
    [schema, BOOKKEEPING_TABLE],
  );
  for (const { table_name } of tableRows.rows) {
    tables.set(table_name, { columns: new Map(), primaryKey: null, indexes: new Map(), foreignKeys: new Map() });
  }

  const enumRows = await client.query<{ name: string; labels: string[] }>(
    `SELECT t.typname::text AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
       FROM pg_type t
       JOIN pg_namespace n ON n.oid = t.typnamespace
       JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE n.nspname = $1
      GROUP BY t.typname`,
    [schema],
  );
  const enums = new Map(enumRows.rows.map((row) => [row.name, row.labels]));

  const columnRows = await client.query<ColumnRow>(
    `SELECT c.table_name, c.column_name, c.data_type, c.udt_schema, c.udt_name, c.is_nullable, c.column_default,
            c.datetime_precision, c.character_maximum_length, c.numeric_precision, c.numeric_scale,
            format_type(a.atttypid, a.atttypmod) AS sql_type
       FROM information_schema.columns c
       JOIN pg_attribute a ON a.attrelid = format('%I.%I', c.table_schema, c.table_name)::regclass AND a.attname = c.column_name
      WHERE c.table_schema = $1`,
    [schema],
  );
  const enumNames = new Set(enums.keys());
  for (const row of columnRows.rows) {
    tables.get(row.table_name)?.columns.set(row.column_name, {
      type: actualType(row, schema, enumNames),
      sqlType: row.sql_type,
      nullable: row.is_nullable === 'YES',
      default: row.column_default,
    });
  }

  const indexRows = await client.query<{
    table_name: string;
    index_name: string;
    is_unique: boolean;
    is_primary: boolean;
    method: string;
    predicate: string | null;
    columns: string[];
  }>(
    `SELECT t.relname::text AS table_name, i.relname::text AS index_name, x.indisunique AS is_unique,
            x.indisprimary AS is_primary, am.amname::text AS method, pg_get_expr(x.indpred, x.indrelid) AS predicate,
            ARRAY(SELECT CASE WHEN k.attnum = 0 THEN pg_get_indexdef(x.indexrelid, k.ord::int, true) ELSE a.attname::text END
                         || CASE WHEN (x.indoption[k.ord - 1] & 1) = 1 THEN ' DESC' ELSE '' END
                    FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                    LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                   WHERE k.ord <= x.indnkeyatts
                   ORDER BY k.ord) AS columns
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_am am ON am.oid = i.relam
      WHERE n.nspname = $1 AND NOT x.indisprimary`,
    [schema],
  );
  for (const row of indexRows.rows) {
    const shape = tables.get(row.table_name);
    if (!shape) continue;
    const using = row.method === 'btree' ? '' : ` USING ${row.method}`;
    const where = row.predicate ? ` WHERE ${row.predicate}` : '';
    shape.indexes.set(`${row.is_unique ? 'unique' : 'index'} (${row.columns.join(', ')})${using}${where}`, {
      name: row.index_name,
      detail: undefined,
    });
  }

  const constraintRows = await client.query<{
    table_name: string;
    name: string;
    type: string;
    columns: string[];
    ref_schema: string | null;
    ref_table: string | null;
    ref_columns: string[];
    on_delete: string;
    on_update: string;
  }>(
    `SELECT t.relname::text AS table_name, c.conname::text AS name, c.contype::text AS type,
            ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
            rn.nspname::text AS ref_schema, rt.relname::text AS ref_table,
            ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS ref_columns,
            c.confdeltype::text AS on_delete, c.confupdtype::text AS on_update
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       LEFT JOIN pg_class rt ON rt.oid = c.confrelid
       LEFT JOIN pg_namespace rn ON rn.oid = rt.relnamespace
      WHERE n.nspname = $1`,
    [schema],
  );
  for (const row of constraintRows.rows) {
    const shape = tables.get(row.table_name);
    if (!shape) continue;
    if (row.type === 'p') {
      shape.primaryKey = { name: row.name, columns: row.columns };
    } else if (row.type === 'f') {
      const refTable = row.ref_schema === schema ? row.ref_table : `${row.ref_schema}.${row.ref_table}`;
      shape.foreignKeys.set(`(${row.columns.join(', ')}) REFERENCES ${refTable}(${row.ref_columns.join(', ')})`, {
        name: row.name,
        detail: `ON DELETE ${PG_ACTIONS[row.on_delete]} ON UPDATE ${PG_ACTIONS[row.on_update]}`,
      });
    } else if (row.type === 'c' || row.type === 'x') {
      // schema.prisma cannot express CHECK or EXCLUDE constraints.
      problems.push(`${row.table_name}: unexpected ${row.type === 'c' ? 'CHECK' : 'EXCLUDE'} constraint ${row.name}`);
    }
    // 'u' (unique constraints) also own an index, which the index comparison covers.
  }
  return { tables, enums, problems };
}

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

const sorted = <T>(values: Iterable<T>) => [...values].sort();

function describeDefault(actual: string | null): string {
  return actual === null ? 'no default' : `DEFAULT ${actual}`;
}

async function compareDefault(
  client: Client,
  where: string,
  expected: ExpectedDefault,
  actual: ActualColumn,
): Promise<string | null> {
  const present = actual.default;
  switch (expected.kind) {
    case 'none':
      return present === null
        ? null
        : `${where}: has ${describeDefault(present)} in the database, no database default in schema.prisma`;
    case 'unsupported':
      return null; // already reported as a problem
    case 'now':
      return present !== null && /^(CURRENT_TIMESTAMP|now\(\))$/.test(present)
        ? null
        : `${where}: ${describeDefault(present)} in the database, @default(now()) in schema.prisma`;
    case 'autoincrement':
      return present !== null && /^nextval\('.+'::regclass\)$/.test(present)
        ? null
        : `${where}: ${describeDefault(present)} in the database, @default(autoincrement()) in schema.prisma`;
    case 'dbgenerated':
      return present !== null
        ? null
        : `${where}: no default in the database, @default(dbgenerated(…)) in schema.prisma`;
    case 'literal': {
      const mismatch = `${where}: ${describeDefault(present)} in the database, @default(${expected.shown}) in schema.prisma`;
      if (present === null) return mismatch;
      // Let Postgres judge: parse the expected literal as the column's type and compare values.
      try {
        const { rows } = await client.query<{ same: boolean }>(
          `SELECT (${present}) IS NOT DISTINCT FROM ($1::text)::${actual.sqlType} AS same`,
          [expected.text],
        );
        return rows[0].same ? null : mismatch;
      } catch (error) {
        return `${mismatch} (not comparable: ${(error as Error).message})`;
      }
    }
  }
}

/** Compares indexes or foreign keys keyed by what they cover; `label` turns a key into prose. */
function compareNamed<T>(
  table: string,
  label: (key: string) => string,
  expected: Map<string, Named<T>>,
  actual: Map<string, Named<T>>,
  drift: string[],
): void {
  for (const key of sorted(expected.keys())) {
    const want = expected.get(key)!;
    const got = actual.get(key);
    if (!got) {
      drift.push(`${table}: missing ${label(key)} "${want.name}"`);
      continue;
    }
    if (got.name !== want.name)
      drift.push(`${table}: ${label(key)} is named "${got.name}", Prisma would name it "${want.name}"`);
    if (got.detail !== want.detail)
      drift.push(`${table}: ${label(key)} has ${got.detail} in the database, ${want.detail} in schema.prisma`);
  }
  for (const key of sorted(actual.keys())) {
    if (!expected.has(key)) drift.push(`${table}: unexpected ${label(key)} "${actual.get(key)!.name}"`);
  }
}

/**
 * Every difference between what schema.prisma declares and what `schema` holds, one line each,
 * in a stable order; empty when they agree. `client` must be connected to the database of `schema`.
 */
export async function schemaDrift(client: Client, schema: string, datamodel: string): Promise<string[]> {
  const expected = await expectedShape(datamodel);
  const actual = await actualShape(client, schema);
  const drift = [...expected.problems, ...actual.problems];

  for (const name of sorted(expected.enums.keys())) {
    const want = expected.enums.get(name)!;
    const got = actual.enums.get(name);
    if (!got) drift.push(`enum ${name}: missing`);
    else if (want.join(',') !== got.join(','))
      drift.push(`enum ${name}: values (${got.join(', ')}) in the database, (${want.join(', ')}) in schema.prisma`);
  }
  for (const name of sorted(actual.enums.keys())) {
    if (!expected.enums.has(name)) drift.push(`enum ${name}: unexpected`);
  }

  for (const table of sorted(expected.tables.keys())) {
    const want = expected.tables.get(table)!;
    const got = actual.tables.get(table);
    if (!got) {
      drift.push(`${table}: missing table`);
      continue;
    }
    for (const column of sorted(want.columns.keys())) {
      const where = `${table}.${column}`;
      const wantColumn = want.columns.get(column)!;
      const gotColumn = got.columns.get(column);
      if (!gotColumn) {
        drift.push(`${where}: missing column (${wantColumn.type})`);
        continue;
      }
      if (gotColumn.type !== wantColumn.type)
        drift.push(`${where}: type ${gotColumn.type} in the database, ${wantColumn.type} in schema.prisma`);
      if (gotColumn.nullable !== wantColumn.nullable) {
        const nullability = (nullable: boolean) => (nullable ? 'nullable' : 'NOT NULL');
        drift.push(
          `${where}: ${nullability(gotColumn.nullable)} in the database, ${nullability(wantColumn.nullable)} in schema.prisma`,
        );
      }
      const defaultDrift = await compareDefault(client, where, wantColumn.default, gotColumn);
      if (defaultDrift) drift.push(defaultDrift);
    }
    for (const column of sorted(got.columns.keys())) {
      if (!want.columns.has(column))
        drift.push(`${table}.${column}: unexpected column (${got.columns.get(column)!.type})`);
    }

    const pk = (key: TableShape<unknown>['primaryKey']) => (key ? `${key.name} (${key.columns.join(', ')})` : 'none');
    if (pk(want.primaryKey) !== pk(got.primaryKey))
      drift.push(
        `${table}: primary key ${pk(got.primaryKey)} in the database, ${pk(want.primaryKey)} in schema.prisma`,
      );

    compareNamed(table, (key) => key, want.indexes, got.indexes, drift);
    compareNamed(table, (key) => `foreign key ${key}`, want.foreignKeys, got.foreignKeys, drift);
  }
  for (const table of sorted(actual.tables.keys())) {
    if (!expected.tables.has(table)) drift.push(`${table}: unexpected table`);
  }
  return drift;
}
