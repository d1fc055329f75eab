import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { startServer } from './spawn-server.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-config-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('refuses a bad configuration listing every problem, not just the first', async () => {
    const problems = problemsOf({
      PORT: '70000',
      VIGIL_LOG_LEVEL: 'loud',
      VIGIL_SHUTDOWN_GRACE_MS: '-1',
      VIGIL_ALLOW_FALLBACK_ONLY: 'perhaps',
      VIGIL_AUDIT_HMAC_KEY: 'short',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['PORT', 'VIGIL_ALLOW_FALLBACK_ONLY', 'VIGIL_AUDIT_HMAC_KEY', 'VIGIL_LOG_LEVEL', 'VIGIL_SHUTDOWN_GRACE_MS'].sort(),
    );
  });

  it('never repeats a secret value in a problem', () => {
    const problems = problemsOf({ VIGIL_AUDIT_HMAC_KEY: 'secret-but-short' });
    expect(problems.join('\n')).not.toContain('secret-but-short');
  });

  it('reads settings from VIGIL_CONFIG_FILE, the environment winning over the file', async () => {
    const file = join(dir, 'vigil.json');
    await writeFile(
      file,
      JSON.stringify({
        PORT: 4100,
        VIGIL_SHUTDOWN_GRACE_MS: 2500,
        VIGIL_ALLOW_FALLBACK_ONLY: true,
        VIGIL_CORS_ORIGINS: ['https://a.example', 'https://b.example'],
      }),
    );
    const config = loadConfig({ VIGIL_CONFIG_FILE: file, PORT: '4200' });
    expect(config.PORT).toBe(4200);
    expect(config.VIGIL_SHUTDOWN_GRACE_MS).toBe(2500);
    expect(config.VIGIL_ALLOW_FALLBACK_ONLY).toBe(true);
    expect(config.VIGIL_CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
  });

  it('lists problems of the file and of the environment together', async () => {
    const file = join(dir, 'vigil.json');
    await writeFile(
      file,
      JSON.stringify({ VIGIL_SHUTDOWN_GRACE_MSS: 1000, VIGIL_DATA_DIR: { nested: true }, VIGIL_STALE_AFTER_HOURS: -3 }),
    );
    const problems = problemsOf({ VIGIL_CONFIG_FILE: file, VIGIL_LOG_LEVEL: 'loud' });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/VIGIL_SHUTDOWN_GRACE_MSS .*not a setting/);
    expect(problems.join('\n')).toMatch(/VIGIL_DATA_DIR .*must be a string/);
    expect(problems.join('\n')).toMatch(/VIGIL_STALE_AFTER_HOURS/);
    expect(problems.join('\n')).toMatch(/VIGIL_LOG_LEVEL/);
  });

  it('names keys every object inherits (constructor, toString, __proto__) as settings it does not know', async () => {
    const file = join(dir, 'vigil.json');
    await writeFile(file, '{"constructor": "x", "toString": "y", "__proto__": "z", "PORT": 4100}');
    const problems = problemsOf({ VIGIL_CONFIG_FILE: file });
    for (const key of ['constructor', 'toString', '__proto__'])
      expect(problems.join('\n')).toContain(`${key} (in ${file}): not a setting Vigil knows`);
    expect(problems).toHaveLength(3);
  });

  it.each([
    ['a missing file', (d: string) => join(d, 'absent.json'), null, /ENOENT/],
    ['a file that is not JSON', (d: string) => join(d, 'bad.json'), 'PORT=1', /not valid JSON/],
    ['a file holding a list', (d: string) => join(d, 'list.json'), '[]', /must hold a JSON object/],
  ])('refuses %s', async (_what, pathOf, content, message) => {
    const file = pathOf(dir);
    if (content !== null) await writeFile(file, content);
    expect(problemsOf({ VIGIL_CONFIG_FILE: file }).join('\n')).toMatch(message);
  });

  it('stops the real server before it listens, with exit code 78 and every problem on stderr', async () => {
    const server = startServer({ VIGIL_DATA_DIR: dir, PORT: 'eighty', VIGIL_SHUTDOWN_GRACE_MS: 'soon', VIGIL_LOG_LEVEL: 'loud' });
    expect(await server.exited).toBe(78);
    const stderr = server.stderr();
    for (const key of ['PORT', 'VIGIL_SHUTDOWN_GRACE_MS', 'VIGIL_LOG_LEVEL']) expect(stderr).toContain(`- ${key}:`);
    expect(server.lines.some((l) => l.msg === 'Vigil is listening')).toBe(false);
  });
});
