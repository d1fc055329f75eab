// What the process holds is released by the app's own onClose hooks, after the last call in flight:
// in the order server.ts lists it, and a step that fails does not keep the next from running.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { releaseOnClose } from '../../src/health/graceful-shutdown.js';

describe('releaseOnClose', () => {
  it('runs the steps in the order given when the app closes, past a failing one, and logs the failure by name', async () => {
    const app = Fastify();
    const ran: string[] = [];
    const logged: object[] = [];
    releaseOnClose(app, { error: (obj: object) => void logged.push(obj) }, [
      { name: 'fhir-fetcher', run: () => void ran.push('fhir-fetcher') },
      {
        name: 'scorer',
        run: async () => {
          ran.push('scorer');
          throw new Error('session already released');
        },
      },
      { name: 'audit', run: async () => void ran.push('audit') },
    ]);
    await app.ready();
    expect(ran).toEqual([]);
    await app.close();
    expect(ran).toEqual(['fhir-fetcher', 'scorer', 'audit']);
    expect(logged).toEqual([{ step: 'scorer', err: { message: 'session already released' } }]);
  });
});
