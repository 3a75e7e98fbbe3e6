/** The one place where core positions (1-based lines and columns) become VS Code positions (0-based). */
import * as vscode from 'vscode';
import type { SourceRange } from '../core/types';
import type { UsageIssue } from '../core/usage/usageFile';

export function toRange(r: SourceRange): vscode.Range {
  return new vscode.Range(r.startLine - 1, r.startColumn - 1, r.endLine - 1, r.endColumn - 1);
}

/** The call's anchor: its line (of the opening parenthesis) and the callee's method name column. */
export function toAnchor(site: { line: number; column: number }): vscode.Position {
  return new vscode.Position(site.line - 1, Math.max(0, site.column - 1));
}

export function issueRange(issue: UsageIssue): vscode.Range {
  const start = new vscode.Position(Math.max(0, issue.line - 1), Math.max(0, issue.column - 1));
  const end = new vscode.Position(Math.max(0, issue.endLine - 1), Math.max(0, issue.endColumn - 1));
  return new vscode.Range(start, end.isBefore(start) ? start : end);
}
