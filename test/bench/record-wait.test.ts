// The benchmark's reading of how long Vigil's calls waited for their audit records
// (bench/lib/record-wait.ts): from the metrics Vigil itself serves, as a Prometheus scraper sees them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { meanWaitMs, parseRecordWait, scrapeRecordWait } from '../../bench/lib/record-wait.js';
import { createMetrics } from '../../src/observability/metrics.js';

let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A server on 127.0.0.1 answering GET /metrics with `answer`. */
async function serving(status: number, answer: () => Promise<string>): Promise<number> {
  server = createServer((request, reply) => {
    void answer().then((body) => reply.writeHead(request.url === '/metrics' ? status : 404).end(body));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe("the benchmark's reading of the audit record wait", () => {
  it("reads the mean wait of the calls between two scrapes of Vigil's own metrics", async () => {
    const metrics = createMetrics({ processMetrics: true });
    const port = await serving(200, () => metrics.registry.metrics());
    metrics.auditRecordWait(0.004);
    const before = await scrapeRecordWait(port);
    expect(before).toEqual({ sum: 0.004, count: 1 });

    // A round: three calls that waited 1, 2 and 6 ms.
    for (const seconds of [0.001, 0.002, 0.006]) metrics.auditRecordWait(seconds);
    const after = await scrapeRecordWait(port);
    expect(meanWaitMs(before!, after!)).toBeCloseTo(3, 9);
  });

  it('has no reading for a server without the histogram (the bare baselines) or without metrics', async () => {
    expect(parseRecordWait('# HELP other_total x\nother_total 3\n')).toBeUndefined();
    const bare = await serving(404, async () => 'Not Found');
    expect(await scrapeRecordWait(bare)).toBeUndefined();
    // Nothing listening any more: no reading, and no failure of the run.
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    expect(await scrapeRecordWait(bare)).toBeUndefined();
  });

  it('has no mean for a round in which no call waited', () => {
    expect(meanWaitMs({ sum: 0.5, count: 100 }, { sum: 0.5, count: 100 })).toBeUndefined();
  });
});
