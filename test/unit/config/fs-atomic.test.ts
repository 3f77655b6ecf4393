import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeStaleTempFiles, writeFileAtomic } from '../../../src/config/fs-atomic.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'llmc-atomic-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('writes 0600 and leaves no temp file behind', async () => {
    const file = join(dir, 'token.json');
    await writeFileAtomic(file, '{"a":1}');
    await writeFileAtomic(file, '{"a":2}');
    expect(await readFile(file, 'utf8')).toBe('{"a":2}');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['token.json']);
  });

  it('tightens a file that was looser before it was replaced', async () => {
    const file = join(dir, 'clients.json');
    await writeFile(file, 'old', { mode: 0o644 });
    await writeFileAtomic(file, 'new');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});

describe('removeStaleTempFiles', () => {
  it('removes old temp files from killed writers and keeps fresh ones and real files', async () => {
    const old = join(dir, 'config.json.llmc-tmp-123-abc');
    const conf = join(dir, 'config.json.tmp-1732550000000abc');
    const fresh = join(dir, 'token.json.llmc-tmp-456-def');
    const movedLock = join(dir, 'token.json.lock.stale-0a1b2c3d4e5f');
    for (const file of [old, conf, fresh, movedLock, join(dir, 'config.json')]) await writeFile(file, 'x');
    const past = new Date(Date.now() - 120_000);
    await utimes(old, past, past);
    await utimes(conf, past, past);
    await utimes(movedLock, past, past);
    expect((await removeStaleTempFiles(dir)).sort()).toEqual([conf, movedLock, old].sort());
    expect((await readdir(dir)).sort()).toEqual(['config.json', 'token.json.llmc-tmp-456-def']);
  });
});
