import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runLlmc, tempHome } from '../../helpers/cli.js';

let home: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ home, cleanup } = await tempHome());
});
afterEach(() => cleanup());

const configFile = () => join(home, 'config.json');

describe('llmc config', () => {
  it('sets, gets, lists and unsets dotted keys; values are JSON when they parse', async () => {
    expect(
      (await runLlmc(['config', 'set', 'providers.local.base_url', 'http://127.0.0.1:1234/v1'], { home })).exitCode,
    ).toBe(0);
    expect((await runLlmc(['config', 'set', 'daemon.port', '7321'], { home })).exitCode).toBe(0);
    expect((await runLlmc(['config', 'set', 'providers.local.models', '["a","b"]'], { home })).exitCode).toBe(0);
    expect(JSON.parse(await readFile(configFile(), 'utf8'))).toEqual({
      providers: { local: { base_url: 'http://127.0.0.1:1234/v1', models: ['a', 'b'] } },
      daemon: { port: 7321 },
    });
    expect((await runLlmc(['config', 'get', 'daemon.port'], { home })).stdout).toBe('7321');
    expect((await runLlmc(['config', 'get', 'providers.local.base_url'], { home })).stdout).toBe(
      'http://127.0.0.1:1234/v1',
    );
    expect(JSON.parse((await runLlmc(['config', 'get', 'providers', '--json'], { home })).stdout)).toEqual({
      local: { base_url: 'http://127.0.0.1:1234/v1', models: ['a', 'b'] },
    });
    const list = await runLlmc(['config', 'list'], { home });
    expect(list.stdout.split('\n')).toEqual([
      'providers.local.base_url=http://127.0.0.1:1234/v1',
      'providers.local.models=["a","b"]',
      'daemon.port=7321',
    ]);
    expect((await runLlmc(['config', 'unset', 'daemon.port'], { home })).exitCode).toBe(0);
    expect((await runLlmc(['config', 'get', 'daemon.port'], { home })).exitCode).toBe(1);
    expect((await runLlmc(['config', 'path'], { home })).stdout).toBe(configFile());
  });

  it('a bad key or value exits 2 and leaves config.json byte-for-byte unchanged', async () => {
    await runLlmc(['config', 'set', 'providers.local.base_url', 'http://127.0.0.1:1234/v1'], { home });
    const before = await readFile(configFile());
    const cases: Array<[string[], string]> = [
      [['config', 'set', 'nope.x', '1'], 'unknown config key "nope"'],
      [['config', 'set', 'providers.local.typ', 'openai'], 'did you mean "providers.local.type"'],
      [['config', 'set', 'providers.local.type', 'bogus'], 'invalid value for providers.local.type'],
      [['config', 'set', 'daemon.port', '70000'], 'invalid value for daemon.port'],
      [['config', 'set', 'providers.local.base_url', 'not a url'], 'must be an absolute URL'],
      [['config', 'set', 'providers..x', '1'], 'is not a config key'],
      [['config', 'set', 'providers.__proto__.type', 'openai'], '"__proto__" cannot be a name'],
    ];
    for (const [args, message] of cases) {
      const result = await runLlmc(args, { home });
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain('hint: ');
      expect(await readFile(configFile())).toEqual(before);
    }
  });

  it('a fresh home is 0700 and config.json 0600', async () => {
    await runLlmc(['config', 'set', 'daemon.port', '7320'], { home });
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    expect((await stat(configFile())).mode & 0o777).toBe(0o600);
  });

  it('a corrupt config.json is reported with file and position and never overwritten', async () => {
    await runLlmc(['config', 'set', 'daemon.port', '7320'], { home });
    const corrupt = '{\n  "daemon": {\n    "port": 7320,\n  }\n}\n';
    await writeFile(configFile(), corrupt, { mode: 0o600 });
    for (const args of [
      ['config', 'list'],
      ['config', 'set', 'daemon.port', '7321'],
      ['config', 'get', 'daemon.port'],
    ]) {
      const result = await runLlmc(args, { home });
      expect(result.exitCode, args.join(' ')).toBe(1);
      expect(result.stderr).toContain(`${configFile()}:4:3: invalid JSON`);
      expect(result.stderr).toContain('hint: ');
      expect(await readFile(configFile(), 'utf8')).toBe(corrupt);
    }
    const json = await runLlmc(['config', 'list', '--json'], { home });
    expect(JSON.parse(json.stderr).error.code).toBe('ERR_CONFIG_CORRUPT');
    // The hint's way out works: config edit saves a repaired file.
    const repaired = await runLlmc(['config', 'edit'], { home, env: { EDITOR: 'sed -i s/7320,/7321/' } });
    expect(repaired.exitCode, repaired.stderr).toBe(0);
    expect(JSON.parse(await readFile(configFile(), 'utf8'))).toEqual({ daemon: { port: 7321 } });
  });

  it("the test runner's own VISUAL does not replace the EDITOR a test passes", async () => {
    const saved = process.env.VISUAL;
    process.env.VISUAL = 'false';
    try {
      await runLlmc(['config', 'set', 'daemon.port', '7320'], { home });
      const edit = await runLlmc(['config', 'edit'], { home, env: { EDITOR: 'sed -i s/7320/7401/' } });
      expect(edit.exitCode, edit.stderr).toBe(0);
      expect(JSON.parse(await readFile(configFile(), 'utf8'))).toEqual({ daemon: { port: 7401 } });
    } finally {
      if (saved === undefined) delete process.env.VISUAL;
      else process.env.VISUAL = saved;
    }
  });

  it('config edit refuses to overwrite a change made meanwhile, and says where the edit is kept', async () => {
    await runLlmc(['config', 'set', 'daemon.port', '7320'], { home });
    const editor = join(home, '..', 'editor.sh');
    // Edits the copy, and meanwhile another command changes config.json.
    await writeFile(
      editor,
      `#!/bin/sh\nsed -i s/7320/7400/ "$1"\nprintf '{"daemon":{"port":7500}}\\n' > ${JSON.stringify(configFile())}\n`,
      { mode: 0o700 },
    );
    const result = await runLlmc(['config', 'edit'], { home, env: { EDITOR: editor } });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('changed while you were editing it');
    const kept = /your edit is kept in (\S+\.json)/.exec(result.stderr)?.[1];
    expect(kept).toBeDefined();
    expect(JSON.parse(await readFile(kept as string, 'utf8'))).toEqual({ daemon: { port: 7400 } });
    expect(JSON.parse(await readFile(configFile(), 'utf8'))).toEqual({ daemon: { port: 7500 } });
  });

  it('config edit saves a valid edit and keeps an invalid one out of config.json', async () => {
    await runLlmc(['config', 'set', 'daemon.port', '7320'], { home });
    const good = await runLlmc(['config', 'edit'], { home, env: { EDITOR: `sed -i s/7320/7400/` } });
    expect(good.exitCode).toBe(0);
    expect(JSON.parse(await readFile(configFile(), 'utf8'))).toEqual({ daemon: { port: 7400 } });
    const before = await readFile(configFile(), 'utf8');
    const bad = await runLlmc(['config', 'edit'], { home, env: { EDITOR: `sed -i s/7400/x/` } });
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('config.json is unchanged');
    expect(bad.stderr).toContain('your edit is kept in');
    expect(await readFile(configFile(), 'utf8')).toBe(before);
  });
});

describe('literal secrets in config', () => {
  it('are stored as given but never echoed by set or list, with a warning to use a reference', async () => {
    const secret = 'sk-proj-literal0123456789abcdef';
    const set = await runLlmc(['config', 'set', 'providers.openai.api_key', secret], { home });
    expect(set.exitCode).toBe(0);
    expect(set.stderr).toContain('literal secret');
    const list = await runLlmc(['config', 'list'], { home });
    const listJson = await runLlmc(['config', 'list', '--json'], { home });
    for (const output of [set.stdout, set.stderr, list.stdout, listJson.stdout]) expect(output).not.toContain(secret);
    expect(list.stdout).toContain('providers.openai.api_key=[REDACTED]');
    expect(JSON.parse(await readFile(configFile(), 'utf8')).providers.openai.api_key).toBe(secret);
    const reference = await runLlmc(['config', 'set', 'providers.openai.api_key', 'env:OPENAI_API_KEY'], { home });
    expect(reference.stderr).toContain('= env:OPENAI_API_KEY');
    expect(reference.stderr).not.toContain('literal secret');
  });
});
