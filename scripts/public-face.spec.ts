import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

// CONTRIBUTING.md "Public face": a lib's src/index.ts exports only what other projects import.
// A name counts as imported when a file outside the lib that imports @metaloop/<lib> (a subpath
// too, or the lib's dist by relative path, as bench does) mentions it as a whole word: bench's
// .mjs files take a lib's default import and read names off it, so the word is the test, not the
// import clause. The sdk's index is its users' API (a published package) and testing's is the
// specs' harness: neither is checked.
const ROOT = join(__dirname, '..');
const UNCHECKED = ['sdk', 'testing'];
const SCANNED = ['apps', 'libs', 'e2e', 'bench', 'deploy', 'grafana', 'scripts', 'examples', 'clients'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'generated', 'coverage', '.nx']);
const CODE = /\.(m|c)?[jt]sx?$/;

/** The names a module's text exports, and the modules it re-exports whole (`export * from`). */
function exportsOf(text: string): { names: string[]; starred: string[] } {
  const source = ts.createSourceFile('index.ts', text, ts.ScriptTarget.Latest);
  const names: string[] = [];
  const starred: string[] = [];
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      const from = statement.moduleSpecifier;
      const clause = statement.exportClause;
      if (!clause && from && ts.isStringLiteral(from)) starred.push(from.text);
      else if (clause && ts.isNamedExports(clause)) names.push(...clause.elements.map(({ name }) => name.text));
      else if (clause) names.push(clause.name.text); // export * as name from
    } else if (ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some(isExportKeyword)) {
      if (ts.isVariableStatement(statement)) {
        for (const { name } of statement.declarationList.declarations) if (ts.isIdentifier(name)) names.push(name.text);
      } else if (
        (ts.isFunctionDeclaration(statement) ||
          ts.isClassDeclaration(statement) ||
          ts.isInterfaceDeclaration(statement) ||
          ts.isTypeAliasDeclaration(statement) ||
          ts.isEnumDeclaration(statement)) &&
        statement.name
      ) {
        names.push(statement.name.text);
      }
    }
  }
  return { names, starred };
}

function isExportKeyword(modifier: ts.ModifierLike): boolean {
  return modifier.kind === ts.SyntaxKind.ExportKeyword;
}

/**
 * The names an index exports (with those of the modules it re-exports whole, given as texts)
 * that no text of another project's file importing the lib mentions as a whole word.
 */
function unusedExports(index: string, users: string[], starredModules: string[] = []): string[] {
  const names = [index, ...starredModules].flatMap((text) => exportsOf(text).names);
  return names.filter((name) => !users.some((text) => new RegExp(`(?<![\\w$])${name}(?![\\w$])`).test(text)));
}

function codeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : codeFiles(path);
    return CODE.test(entry.name) ? [path] : [];
  });
}

/** `lib: name` for every name a checked lib's index exports that no other project uses. */
function unusedInRepo(): string[] {
  const files = SCANNED.flatMap((dir) => codeFiles(join(ROOT, dir))).map((path) => ({
    path,
    text: readFileSync(path, 'utf8'),
  }));
  const libs = readdirSync(join(ROOT, 'libs')).filter((lib) => !UNCHECKED.includes(lib));
  return libs.flatMap((lib) => {
    const indexPath = join(ROOT, 'libs', lib, 'src/index.ts');
    const index = readFileSync(indexPath, 'utf8');
    // A generated module (the Prisma client) is the database's names, not a chosen face.
    const starredModules = exportsOf(index)
      .starred.filter((specifier) => !specifier.includes('/generated/'))
      .map((specifier) => readFileSync(`${join(dirname(indexPath), specifier)}.ts`, 'utf8'));
    const imports = new RegExp(`['"](@metaloop|(\\.\\.?/)+([\\w.-]+/)*libs)/${lib}(/[^'"]*)?['"]`);
    const users = files
      .filter(({ path, text }) => !path.startsWith(join(ROOT, 'libs', lib, '/')) && imports.test(text))
      .map(({ text }) => text);
    return unusedExports(index, users, starredModules).map((name) => `${lib}: ${name}`);
  });
}

describe("each lib's public face (src/index.ts)", () => {
  it('exports only names another project uses', () => {
    expect(unusedInRepo()).toEqual([]);
  });

  it('reports an exported name no other project uses', () => {
    const index = [
      "export { usedFn, unusedFn, type UsedType } from './a';",
      "export type * from './b';",
      "export * as unusedNamespace from './c';",
      'export const USED_CONST = 1;',
    ].join('\n');
    const starred = ['export interface UsedShape {}\nexport type UnusedShape = string;'];
    const users = [
      "import widgets from '@metaloop/widgets';\nconst { usedFn } = widgets;",
      "import { type UsedType, USED_CONST, type UsedShape } from '@metaloop/widgets';\nconst unusedFnX = 1;",
    ];
    expect(unusedExports(index, users, starred)).toEqual(['unusedFn', 'unusedNamespace', 'UnusedShape']);
  });
});
