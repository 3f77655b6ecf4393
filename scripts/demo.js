// `npm run demo`: show what llmc does today, for real, on this machine, in a
// throwaway home directory (your ~/.mcp-gateway is not touched). Each step
// runs the real CLI; nothing is canned. Steps are added as the product grows
// (login against the dev IdP, chat through the daemon, an MCP tool call).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/llmc.js', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'llmc-demo-'));
const env = { ...process.env, LLMC_HOME: home };
const bold = (text) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\u001b[1m${text}\u001b[0m` : text);

const steps = [
  ['What llmc can do', ['--help']],
  [
    'Configure a local OpenAI-compatible provider (LM Studio)',
    ['config', 'set', 'providers.lmstudio.base_url', 'http://127.0.0.1:1234/v1'],
  ],
  ['Give it a model alias', ['config', 'set', 'models.aliases.fast', 'lmstudio/qwen2.5-7b-instruct']],
  ['Every setting, as scripts see it', ['config', 'list', '--json']],
  [
    'A typo is caught, with a suggestion, and nothing is written',
    ['config', 'set', 'providers.lmstudio.base_ulr', 'x'],
    2,
  ],
  ['Check this machine', ['doctor']],
];

let failed = false;
try {
  console.log(`llmc demo — home directory for this run: ${home}\n`);
  for (const [title, args, expected = 0] of steps) {
    console.log(bold(`▸ ${title}`));
    console.log(`$ llmc ${args.join(' ')}`);
    const result = spawnSync(process.execPath, [bin, ...args], { env, stdio: 'inherit' });
    if (result.status !== expected && !(args[0] === 'doctor' && result.status === 1)) {
      console.error(`demo step failed: llmc ${args.join(' ')} exited ${result.status}`);
      failed = true;
      break;
    }
    console.log('');
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
