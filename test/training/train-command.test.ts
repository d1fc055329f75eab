import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readModelMetadata } from '../../src/models/onnx-model.js';

const run = promisify(execFile);

describe('npm run train', () => {
  it(
    'writes a candidate model to --out with its model card beside it, under the version asked for',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'vigil-train-'));
      const out = join(dir, 'candidates', 'seed-7.onnx');
      const args = [
        '--import',
        'tsx',
        'training/train.ts',
        '--seed',
        '7',
        '--patients',
        '300',
        '--bootstrap',
        '50',
        '--version',
        '2.1.0-rc.1',
        '--out',
        out,
      ];
      const { stdout } = await run(process.execPath, args, { cwd: process.cwd() });
      expect(stdout).toContain('SYNTHETIC held-out AUROC');
      const meta = readModelMetadata(await readFile(out));
      expect(meta).toMatchObject({ version: '2.1.0-rc.1', seed: '7', trainingData: 'synthetic' });
      expect(meta.trainingCommand).toBe('npm run train -- --seed 7 --patients 300 --bootstrap 50 --version 2.1.0-rc.1');
      const card = await readFile(join(dir, 'candidates', 'seed-7.md'), 'utf8');
      expect(card).toContain('# Model card: vigil-deterioration 2.1.0-rc.1');
      expect(card).toContain(meta.trainingCommand);
    },
    // A child process: tsx start-up plus a small training run, on a possibly busy 2-core machine.
    60_000,
  );

  it('refuses a seed that is not a whole number', async () => {
    const args = ['--import', 'tsx', 'training/train.ts', '--seed', 'banana', '--out', join(tmpdir(), 'never.onnx')];
    await expect(run(process.execPath, args, { cwd: process.cwd() })).rejects.toMatchObject({
      stderr: expect.stringContaining('--seed must be an integer'),
    });
  }, 60_000);
});
