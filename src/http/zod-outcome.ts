// Turns zod issues into OperationOutcome issues that name the offending field (as a FHIRPath-like
// expression) without echoing the value, which may be patient data.
import type { z } from 'zod';
import type { OperationOutcomeIssue } from '../errors.js';

export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(body)' : out;
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  if (issue.code === 'invalid_type') return `must be ${issue.expected === 'object' ? 'an object' : issue.expected === 'array' ? 'an array' : `a ${issue.expected}`}`;
  if (issue.code === 'invalid_value') return `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
  if (issue.code === 'invalid_union') return 'must be a FHIR resource, a Bundle or null';
  return issue.message;
}

export function zodIssuesToOutcome(issues: readonly z.core.$ZodIssue[]): OperationOutcomeIssue[] {
  // Report each field once; zod can raise several issues for one bad value.
  const seen = new Set<string>();
  const out: OperationOutcomeIssue[] = [];
  for (const issue of issues) {
    const path = fieldPath(issue.path);
    const diagnostics = `${path} ${describe(issue)}`;
    if (seen.has(diagnostics)) continue;
    seen.add(diagnostics);
    out.push({
      severity: 'error',
      code: issue.input === undefined && issue.code === 'invalid_type' ? 'required' : 'invalid',
      diagnostics,
      expression: [path],
    });
    if (out.length >= 20) break;
  }
  return out;
}
