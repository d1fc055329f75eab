// The embedded replay store (no Redis): a token accepted once is refused after a restart too, for as
// long as it lives and no longer, whether its own line or an audit record carried it; a token whose
// record could not reach the disk is not accepted.
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DurableReplayStore, type DurableReplayOptions } from '../../src/auth/durable-replay-store.js';
import { replayKey } from '../../src/auth/replay-store.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

describe('the durable replay store', () => {
  let dir: string;
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function opened(now: Date, extra: Partial<DurableReplayOptions> = {}) {
    const store = new DurableReplayStore({
      dataDir: dir,
      maxEntries: 1000,
      maxLifetimeSeconds: 3600,
      skewSeconds: 30,
      clock: () => now,
      ...extra,
    }).start();
    await store.whenLoaded();
    return store;
  }

  it('refuses, after a restart, a token accepted before it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-replay-'));
    const before = await opened(NOW);
    expect(await before.firstUse('https://ehr.example', 'jti-1', seconds(NOW) + 300, 30, NOW)).toBe(true);
    // No close(): as after kill -9, only what reached the disk counts.
    const after = await opened(new Date(NOW.getTime() + 60_000));
    expect(await after.firstUse('https://ehr.example', 'jti-1', seconds(NOW) + 300, 30, new Date(NOW.getTime() + 60_000))).toBe(false);
    expect(await after.firstUse('https://ehr.example', 'jti-2', seconds(NOW) + 300, 30, new Date(NOW.getTime() + 60_000))).toBe(true);
    await before.close();
    await after.close();
  });

  it('forgets a token once it has expired, and deletes days that hold only expired tokens', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-replay-'));
    // An old day's file, written three days ago.
    await mkdir(join(dir, 'replay'), { recursive: true });
    await writeFile(
      join(dir, 'replay', 'replay-2026-11-20.jsonl'),
      `${JSON.stringify({ k: 'old', e: NOW.getTime() - 3 * 86_400_000, a: NOW.getTime() - 3 * 86_400_000 })}\n`,
    );
    const first = await opened(NOW);
    await first.firstUse('https://ehr.example', 'jti-short', seconds(NOW) + 60, 30, NOW);
    await first.close();
    const later = new Date(NOW.getTime() + 91_000); // past exp + skew
    const second = await opened(later);
    expect(await second.firstUse('https://ehr.example', 'jti-short', seconds(NOW) + 60, 30, later)).toBe(true);
    await second.close();
    expect(await readdir(join(dir, 'replay'))).toEqual(['replay-2026-11-23.jsonl']);
  });

  it('keeps on disk a digest of the token, never its issuer or jti', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-replay-'));
    const store = await opened(NOW);
    await store.firstUse('https://ehr.example', 'jti-visible-4711', seconds(NOW) + 60, 30, NOW);
    await store.close();
    const text = await readFile(join(dir, 'replay', 'replay-2026-11-23.jsonl'), 'utf8');
    expect(text).not.toContain('jti-visible-4711');
    expect(text).not.toContain('ehr.example');
    expect(JSON.parse(text)).toMatchObject({ k: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), e: (seconds(NOW) + 90) * 1000 });
  });

  it('does not accept a token whose record could not be written, and accepts it once the disk works', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-replay-'));
    let full = true;
    const store = await opened(NOW, {
      open: async (path) => {
        if (full) throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
        return open(path, 'a+', 0o600);
      },
    });
    await expect(store.firstUse('https://ehr.example', 'jti-disk', seconds(NOW) + 60, 30, NOW)).rejects.toMatchObject({ code: 'ENOSPC' });
    full = false;
    expect(await store.firstUse('https://ehr.example', 'jti-disk', seconds(NOW) + 60, 30, NOW)).toBe(true);
    expect(await store.firstUse('https://ehr.example', 'jti-disk', seconds(NOW) + 60, 30, NOW)).toBe(false);
    await store.close();
  });

  it("without records to carry them, writes a hook call's token before the call goes on", async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-replay-'));
    const store = await opened(NOW); // no carriedTokens: the audit trail is elsewhere (PostgreSQL)
    const token = await store.claimUntilAnswered('https://ehr.example', 'jti-pg', seconds(NOW) + 60, 30, NOW);
    expect(token?.durable).toBe(true);
    expect((await readFile(join(dir, 'replay', 'replay-2026-11-23.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(1);
    expect(await store.claimUntilAnswered('https://ehr.example', 'jti-pg', seconds(NOW) + 60, 30, NOW)).toBeUndefined();
    await store.close();
  });

  it('restores tokens the audit records carried, only those still live, and writes none itself until asked', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-replay-'));
    const carried = [
      { key: replayKey('https://ehr.example', 'jti-live'), untilMs: NOW.getTime() + 60_000 },
      { key: replayKey('https://ehr.example', 'jti-expired'), untilMs: NOW.getTime() - 1 },
    ];
    const asked: number[] = [];
    const store = await opened(NOW, {
      carriedTokens: async function* (oldestMs) {
        asked.push(oldestMs);
        yield* carried;
      },
    });
    expect(asked).toEqual([NOW.getTime() - (3600 + 60) * 1000]); // the longest a token lives
    expect(await store.firstUse('https://ehr.example', 'jti-live', seconds(NOW) + 60, 30, NOW)).toBe(false);
    expect(await store.firstUse('https://ehr.example', 'jti-expired', seconds(NOW) + 60, 30, NOW)).toBe(true);

    const pending = await store.claimUntilAnswered('https://ehr.example', 'jti-new', seconds(NOW) + 60, 30, NOW);
    expect(pending?.durable).toBe(false);
    expect(await readdir(join(dir, 'replay'))).toEqual(['replay-2026-11-23.jsonl']); // jti-expired's line only
    pending!.carried();
    expect(pending!.durable).toBe(true);
    await pending!.persist(); // carried: nothing more to write
    expect((await readFile(join(dir, 'replay', 'replay-2026-11-23.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(1);
    await store.close();
  });

  it('forgets a pending token whose own line cannot be written, and answers 503 for it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-replay-'));
    let full = true;
    const store = await opened(NOW, {
      carriedTokens: async function* () {},
      open: async (path) => {
        if (full) throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
        return open(path, 'a+', 0o600);
      },
    });
    const pending = await store.claimUntilAnswered('https://ehr.example', 'jti-full', seconds(NOW) + 60, 30, NOW);
    await expect(pending!.persist()).rejects.toMatchObject({ statusCode: 503, code: 'VIGIL_STATE_UNAVAILABLE' });
    full = false;
    await pending!.persistAfterRefusal(); // forgotten: not written later either
    expect(await readdir(join(dir, 'replay')).catch(() => [])).toEqual([]);
    const again = await store.claimUntilAnswered('https://ehr.example', 'jti-full', seconds(NOW) + 60, 30, NOW);
    expect(again).toBeDefined();
    await store.close();
  });
});
