// Small helpers the benchmarks share: one POST on a keep-alive agent, order statistics over
// latencies, and a process's RSS.
import http from 'node:http';
import { rssMb } from './lib/load.js';

export { median, percentile } from './lib/load.js';

/** Resident memory of a process, in whole MB, from /proc (Linux). */
export function rssMbOf(pid: number): number {
  return Math.round(rssMb(pid));
}

/** POSTs `body` to 127.0.0.1:`port``path` and resolves with the status once the answer is read (10 s at most). */
export function postStatus(
  agent: http.Agent,
  port: number,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', ...headers },
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}
