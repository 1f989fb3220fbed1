// CLI output: with --json exactly one JSON document on stdout; otherwise a readable rendering.
// Errors and warnings always go to stderr, so that stdout stays the one document.
export function print(value: unknown, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  if (Array.isArray(value)) {
    process.stdout.write(value.length === 0 ? '(none)\n' : `${table(value as Record<string, unknown>[])}\n`);
    return;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const width = Math.max(...entries.map(([key]) => key.length));
    for (const [key, item] of entries) process.stdout.write(`${key.padEnd(width)}  ${cell(item)}\n`);
    return;
  }
  process.stdout.write(`${String(value)}\n`);
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.join(',') || '-';
  // A client's JWK Set: its kids say which keys it is; the keys themselves are in --json.
  if (typeof value === 'object' && Array.isArray((value as { keys?: unknown }).keys)) {
    return `keys: ${(value as { keys: Array<{ kid?: unknown }> }).keys.map((key) => String(key.kid ?? '?')).join(',')}`;
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function table(rows: Record<string, unknown>[]): string {
  // Every field of any row (a client's jwks or jwks_uri is there only when registered).
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cells = rows.map((row) => columns.map((column) => cell(row[column])));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), ...cells.map(line)].join('\n');
}

/** A warning: the command still runs, but the operator should hear about it. */
export function warn(message: string): void {
  process.stderr.write(`tessera: warning: ${message}\n`);
}
