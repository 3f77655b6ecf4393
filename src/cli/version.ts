/** The version in package.json (what `llmc --version` prints). */
export function packageVersion(): string {
  // getBuiltinModule, not `import 'node:fs'`: building fs's ESM facade costs
  // ~4 ms, a tenth of a cold start, on a path that needs one read.
  const { readFileSync } = process.getBuiltinModule('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
