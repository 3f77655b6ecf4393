#!/usr/bin/env node
// Kept in syntax that very old Node versions can parse, so they reach the
// version check below and print one clear line instead of a SyntaxError.
var parts = process.versions.node.split('.');
var major = Number(parts[0]);
var minor = Number(parts[1]);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    'llmc: Node.js 22.12 or newer is required (this is ' +
      process.version +
      ')\n' +
      'hint: install a current Node.js LTS, or run through `npm exec llmc` in the project, which uses its pinned Node\n',
  );
  process.exit(1);
}
import('node:module')
  .then(function (mod) {
    if (mod.enableCompileCache) mod.enableCompileCache();
    return import('../dist/cli/main.js');
  })
  .then(
    function (cli) {
      return cli.main(process.argv.slice(2));
    },
    function (error) {
      if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).indexOf('dist') !== -1) {
        process.stderr.write(
          'llmc: the compiled program (dist/) is missing\nhint: run `npm run build` in the llmc checkout\n',
        );
        process.exit(1);
      }
      throw error;
    },
  )
  .then(function (code) {
    process.exitCode = code;
  });
