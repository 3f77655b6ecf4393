/**
 * `llmc --help` without loading commander or the command tree: `npm run build`
 * renders the root help once (scripts/prerender-help.js) into
 * dist/cli/root-help.txt. It is used only while it is at least as new as every
 * compiled module that shapes the tree (program.js, tree/*.js), so a rebuild
 * that changes a command (even `tsc -w`, which skips the prerender) falls back
 * to commander instead of printing stale help.
 */

export const ROOT_HELP_FILE = 'root-help.txt';

/** The root help when `argv` asks for nothing else and a fresh prerendered copy exists. */
export function prerenderedRootHelp(argv: readonly string[]): string | undefined {
  const asksForRootHelp = argv.length === 0 || (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h'));
  if (!asksForRootHelp) return undefined;
  // getBuiltinModule, not `import 'node:fs'`: fs's ESM facade costs more than this whole path.
  const fs = process.getBuiltinModule('node:fs');
  const here = new URL('.', import.meta.url);
  try {
    const help = fs.statSync(new URL(ROOT_HELP_FILE, here));
    const tree = new URL('tree/', here);
    const sources = [new URL('program.js', here), ...fs.readdirSync(tree).map((name) => new URL(name, tree))];
    for (const source of sources) if (fs.statSync(source).mtimeMs > help.mtimeMs) return undefined;
    return fs.readFileSync(new URL(ROOT_HELP_FILE, here), 'utf8');
  } catch {
    return undefined;
  }
}
