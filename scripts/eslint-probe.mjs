// Lints source text as if it were the file at each given path, with the workspace's ESLint
// config: reads [{ filePath, code }] as JSON on stdin and prints [{ filePath, messages }] as
// JSON on its last line. The text is not on disk, so the type-checked rules are left out.
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

let input = '';
for await (const chunk of process.stdin) input += chunk;

const eslint = new ESLint({ overrideConfig: [tseslint.configs.disableTypeChecked] });
const results = [];
for (const { filePath, code } of JSON.parse(input)) {
  const [result] = await eslint.lintText(code, { filePath });
  results.push({ filePath, messages: result.messages.map(({ ruleId, message }) => ({ ruleId, message })) });
}
process.stdout.write(`\n${JSON.stringify(results)}\n`);
