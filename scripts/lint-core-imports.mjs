// Lint rule of the house: nothing under src/core/ may import `vscode` (the core is shared by the CLI and tests).
// Uses the TypeScript parser so comments and strings that mention 'vscode' are not flagged.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '..', 'src', 'core');
const violations = [];
function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (/\.(ts|tsx|js|mjs|cjs)$/.test(entry.name)) check(full);
  }
}
function check(file) {
  const text = fs.readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    let spec;
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) spec = node.moduleSpecifier.text;
    if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]) &&
        (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) spec = node.arguments[0].text;
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) spec = node.moduleReference.expression.text;
    if (spec === 'vscode' || spec?.startsWith('vscode/')) {
      const { line } = sf.getLineAndCharacterOfPosition(node.getStart());
      violations.push(`${path.relative(process.cwd(), file)}:${line + 1}: imports '${spec}' (src/core must not depend on VS Code)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}
walk(root);
if (violations.length) {
  console.error(violations.join('\n'));
  process.exit(1);
}
console.log('lint: src/core imports no vscode module');
