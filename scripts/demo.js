// `npm run demo`: show what llmc does today, for real, on this machine, in a
// throwaway home directory (your ~/.mcp-gateway is not touched). Every step
// runs the real CLI against real servers on 127.0.0.1: the embedded OpenID
// provider (`llmc dev idp`) and a key server (`llmc gateway serve`). The only
// stand-in is the person at the browser: a scripted browser fills the dev
// IdP's login form (test/helpers/form-browser.mjs). Nothing is canned.
// Steps are added as the product grows (chat through the daemon, an MCP tool call).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/llmc.js', import.meta.url));
const scriptedBrowser = fileURLToPath(new URL('../test/helpers/form-browser.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'llmc-demo-'));
const home = join(dir, 'home');
const env = { ...process.env, LLMC_HOME: home, LLMC_KEYRING: '0', BROWSER: `${process.execPath} ${scriptedBrowser}` };
const bold = (text) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\u001b[1m${text}\u001b[0m` : text);
const servers = [];

function run(title, args, { expected = [0] } = {}) {
  console.log(bold(`▸ ${title}`));
  console.log(`$ llmc ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [bin, ...args], { env, stdio: 'inherit' });
  console.log('');
  if (!expected.includes(result.status)) throw new Error(`llmc ${args.join(' ')} exited ${result.status}`);
}

/** Start a long-running llmc command; resolve with the first stdout line matching `pattern`. */
function start(title, args, pattern) {
  console.log(bold(`▸ ${title}`));
  console.log(`$ llmc ${args.join(' ')} &`);
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk) => {
    err += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start: ${err}`)), 20_000);
    const onData = (chunk) => {
      out += chunk;
      const match = pattern.exec(out);
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stdout.resume(); // keep draining what it prints later (audit lines)
        console.log(`${match[0]}\n`);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${err}`)));
  });
}

let failed = false;
try {
  console.log(`llmc demo — home directory for this run: ${home}\n`);
  run('What llmc can do', ['--help']);
  run('Configure a local OpenAI-compatible provider (LM Studio)', [
    'config',
    'set',
    'providers.lmstudio.base_url',
    'http://127.0.0.1:1234/v1',
  ]);
  run(
    'A typo is caught, with a suggestion, and nothing is written',
    ['config', 'set', 'providers.lmstudio.base_ulr', 'x'],
    {
      expected: [2],
    },
  );

  const issuer = await start('Start the embedded OpenID provider', ['dev', 'idp'], /^(http:\/\/127\.0\.0\.1:\d+)$/m);
  run('Log in: PKCE on a loopback redirect (a scripted browser fills the login form)', [
    'auth',
    'login',
    '--provider',
    'dev',
  ]);
  run('Who am I, and where do the tokens live', ['auth', 'status']);

  const gatewayConfig = join(dir, 'gateway.yaml');
  writeFileSync(
    gatewayConfig,
    [
      'listen: 127.0.0.1:0',
      'dev: { allow_http_issuers: true }',
      'key_server:',
      '  token_ttl: 10m',
      '  oidc:',
      `    - issuer: ${issuer}`,
      '      audiences: [llmc-cli]',
      '  policies:',
      `    - match: { issuer: "${issuer}" }`,
      '      scopes: { backends: ["*"], tools: ["*"], rate_limit: 60 }',
      '',
    ].join('\n'),
  );
  const gateway = await start(
    'Start a key server that trusts the dev IdP',
    ['gateway', 'serve', '--config', gatewayConfig],
    /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m,
  );
  run('Point this profile at the gateway', ['config', 'set', 'defaults.gateway', gateway]);
  run('Trade the id_token for a short-lived mcpgw_ token (printed here only to show its shape)', [
    'auth',
    'token',
    '--gateway',
  ]);
  run('The gateway token in the profile (never its value)', ['auth', 'status']);
  run('Check this machine', ['doctor'], { expected: [0, 1] });
} catch (error) {
  console.error(`demo failed: ${error.message}`);
  failed = true;
} finally {
  for (const child of servers) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(
    servers.map((child) => (child.exitCode === null ? new Promise((r) => child.once('exit', r)) : null)),
  );
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
