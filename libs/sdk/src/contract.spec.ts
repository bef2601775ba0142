import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const SDK = join(__dirname, '..');
const TYPETEST = join(SDK, 'src', 'contract.typetest.ts');
const EVENT_SCHEMA = join(SDK, '..', 'contracts', 'src', 'feedback-event.schema.ts');

/** This project's typecheck of the contract proof, with one file of the contract read as `replace` rewrites it. */
function typecheck(replace: (text: string) => string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(SDK, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  )!;
  const host = ts.createCompilerHost(parsed.options);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => (file === EVENT_SCHEMA ? replace(readFileSync(file, 'utf8')) : readFile(file));
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, onError) =>
    file === EVENT_SCHEMA
      ? ts.createSourceFile(file, host.readFile(file)!, language)
      : getSourceFile(file, language, onError);
  const program = ts.createProgram({ rootNames: [TYPETEST], options: parsed.options, host });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

// That it compiles against the contract as it is, the project's typecheck proves.
describe('the SDK is typed from the contract', () => {
  it('stops compiling when the contract changes (a field added to the feedback event)', () => {
    const marker = 'export const feedbackEventSchema = z.strictObject({';
    const errors = typecheck((text) => {
      expect(text).toContain(marker);
      return text.replace(marker, `${marker}\n  sentiment: z.number(),`);
    });
    expect(errors).toEqual([
      `${TYPETEST}: Type '{ sdk_not_assignable_to_contract: FeedbackEvent; }' does not satisfy the constraint 'true'.`,
    ]);
  }, 60_000);
});
