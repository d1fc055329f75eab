import { describe, expect, it, vi } from 'vitest';
import { testApp } from '../support/app.js';
import { criticalCall } from './hook-calls.js';
import { captureLog } from '../support/log-capture.js';

describe('request logging', () => {
  it('writes no line per successful call at info', async () => {
    const { log, lines } = captureLog();
    const app = await testApp({ logger: log });
    const call = criticalCall();
    const before = lines.length;
    expect((await app.inject({ method: 'POST', url: `/cds-services/${call.service}`, payload: call.body })).statusCode).toBe(200);
    expect(lines.slice(before)).toEqual([]);
    await app.close();
  });

  it('makes no child logger for a call that writes no line (a child costs more than the call logs)', async () => {
    const { log } = captureLog();
    const app = await testApp({ logger: log });
    const children = vi.spyOn(log, 'child');
    const call = criticalCall();
    expect((await app.inject({ method: 'POST', url: `/cds-services/${call.service}`, payload: call.body })).statusCode).toBe(200);
    expect(children).not.toHaveBeenCalled();
    await app.close();
  });

  it("binds a call's log lines to its hookInstance, and never to the patient", async () => {
    const { log, lines } = captureLog();
    const failing = () => {
      throw new Error('observer down');
    };
    const app = await testApp({ logger: log, observers: [failing] });
    const call = criticalCall({ patientId: 'syn-log-patient-31337' });
    await app.inject({ method: 'POST', url: `/cds-services/${call.service}`, payload: call.body });
    const line = lines.find((l) => l.msg === 'call observer failed');
    expect(line?.hookInstance).toBe(call.body.hookInstance);
    expect(line?.reqId).toEqual(expect.any(String));
    expect(JSON.stringify(lines)).not.toContain('syn-log-patient-31337');
    await app.close();
  });

  it('binds nothing when hookInstance is not a UUID (no client text reaches the logs that way)', async () => {
    const { log, lines } = captureLog();
    const app = await testApp({ logger: log, observers: [() => Promise.reject(new Error('x'))] });
    const call = criticalCall();
    call.body.hookInstance = 'not-a-uuid <script>';
    const res = await app.inject({ method: 'POST', url: `/cds-services/${call.service}`, payload: call.body });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(lines)).not.toContain('<script>');
    await app.close();
  });
});
