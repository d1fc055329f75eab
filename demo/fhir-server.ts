// A small real FHIR R4 server over node:http for tests and the demo: reads, the searches Vigil's
// prefetch templates make (GET and POST _search), Bundle paging, optional CORS, and switchable faults
// (slow, errors, 429 with Retry-After, 401, malformed JSON, HTML pages, huge Bundles, redirects,
// looping or foreign `next` links, gzip-compressed answers good and bad). It records every request it receives, headers included, so tests
// can prove where an access token went. Synthetic data only.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';

type Resource = { resourceType: string; id?: string } & Record<string, unknown>;

/** What a fault does to a matching request. */
export type FaultKind =
  | { kind: 'slow'; ms: number }
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'malformed-json' }
  | { kind: 'html-error'; status?: number }
  | { kind: 'huge-bundle'; bytes: number; declareLength?: boolean }
  | { kind: 'redirect'; to: string }
  | { kind: 'looping-next' }
  | { kind: 'foreign-next'; to: string }
  /** The usual answer, gzip-compressed when the request's Accept-Encoding allows gzip. */
  | { kind: 'gzip' }
  /** 200 with `Content-Encoding: gzip`: a few KiB that inflate to `bytes` of one JSON Bundle. */
  | { kind: 'gzip-bomb'; bytes: number }
  /** 200 with this `Content-Encoding` and bytes that are not in it. */
  | { kind: 'garbled-encoding'; encoding: string };

export type Fault = FaultKind & {
  /** Applies to requests whose path (after the base) starts with this, e.g. "Observation"; all when absent. */
  match?: string;
  /** How many matching requests it affects before the server behaves again; every one when absent. */
  times?: number;
};

export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  authorization?: string;
  accept?: string;
  acceptEncoding?: string;
  body?: string;
}

export interface FhirServerOptions {
  resources: readonly Resource[];
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  basePath?: string;
  /** Answer browsers (the CDS Hooks sandbox): CORS headers and preflights. */
  cors?: boolean;
  /** Page size when a search has no _count. */
  defaultCount?: number;
  /** The most entries a page holds whatever _count asks (servers cap page sizes; default 1000). */
  maxCount?: number;
}

export interface FhirTestServer {
  /** The FHIR base, e.g. http://127.0.0.1:41234/fhir (no trailing slash). */
  baseUrl: string;
  origin: string;
  requests: RecordedRequest[];
  /** Adds a fault; the first matching fault with uses left applies. */
  fault(fault: Fault): void;
  /** Removes every fault and forgets recorded requests. */
  reset(): void;
  /** Bytes written of the last huge Bundle, and whether the client hung up before its end. */
  hugeBundle: { bytesSent: number; clientHungUp: boolean };
  /** Requests being answered right now, and the most at once since the last reset: parallelism as an event count, not a stopwatch. */
  concurrency: { now: number; max: number };
  /** TCP connections clients opened since the last reset: whether they keep connections alive. */
  connections: { opened: number };
  close(): Promise<void>;
}

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export async function startFhirServer(options: FhirServerOptions): Promise<FhirTestServer> {
  const host = options.host ?? '127.0.0.1';
  const basePath = (options.basePath ?? '/fhir').replace(/\/+$/, '');
  const defaultCount = options.defaultCount ?? 50;
  const maxCount = options.maxCount ?? 1000;
  const byType = new Map<string, Resource[]>();
  // Each type's resources also by subject reference, so a search for one patient's resources reads
  // those, not every patient's (a ward of 200 holds ~15,000); the filter below still decides.
  const bySubject = new Map<string, Map<string, Resource[]>>();
  for (const r of options.resources) {
    const list = byType.get(r.resourceType) ?? [];
    list.push(r);
    byType.set(r.resourceType, list);
    const ref = (r.subject as { reference?: string } | undefined)?.reference;
    if (typeof ref !== 'string') continue;
    const ofType = bySubject.get(r.resourceType) ?? new Map<string, Resource[]>();
    bySubject.set(r.resourceType, ofType);
    const ofSubject = ofType.get(ref) ?? [];
    ofType.set(ref, ofSubject);
    ofSubject.push(r);
  }

  /** The resources a search need look at: the one patient's named, or all of the type. */
  function candidates(type: string, params: URLSearchParams): Resource[] {
    // One patient named once (what Vigil asks); anything else is searched the long way, in file order.
    const named = params.getAll('patient').concat(params.getAll('subject'));
    if (named.length !== 1 || named[0]!.includes(',')) return byType.get(type) ?? [];
    const ref = named[0]!.includes('/') ? named[0]! : `Patient/${named[0]}`;
    return bySubject.get(type)?.get(ref) ?? [];
  }
  const faults: (Fault & { used: number })[] = [];
  const requests: RecordedRequest[] = [];
  const hugeBundle = { bytesSent: 0, clientHungUp: false };
  const concurrency = { now: 0, max: 0 };
  const connections = { opened: 0 };
  let baseUrl = '';

  function takeFault(path: string): Fault | undefined {
    const f = faults.find((x) => (x.match === undefined || path.startsWith(x.match)) && (x.times === undefined || x.used < x.times));
    if (f !== undefined) f.used += 1;
    return f;
  }

  const server = createServer((req, res) => {
    concurrency.now += 1;
    concurrency.max = Math.max(concurrency.max, concurrency.now);
    res.once('close', () => (concurrency.now -= 1));
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, outcome('exception', 'test server failure'));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '' };
    if (req.headers.authorization !== undefined) recorded.authorization = req.headers.authorization;
    if (req.headers.accept !== undefined) recorded.accept = req.headers.accept;
    if (req.headers['accept-encoding'] !== undefined) recorded.acceptEncoding = req.headers['accept-encoding'];
    if (body !== undefined) recorded.body = body;
    requests.push(recorded);

    if (options.cors === true) {
      res.setHeader('access-control-allow-origin', '*');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers': 'Authorization, Content-Type, Accept',
          // Chrome's Private Network Access: lets a public page (the sandbox) reach this loopback server.
          'access-control-allow-private-network': 'true',
          'access-control-max-age': '600',
        });
        res.end();
        return;
      }
    }

    const url = new URL(req.url ?? '/', baseUrl);
    if (!url.pathname.startsWith(`${basePath}/`)) return send(res, 404, outcome('not-found', 'not a FHIR path'));
    const path = url.pathname.slice(basePath.length + 1);
    const fault = takeFault(path);
    if (fault !== undefined && (await applyFault(fault, res, url))) return;

    if (req.method === 'GET' && path === 'metadata') return send(res, 200, capabilityStatement());
    const parts = path.split('/');
    const type = parts[0] ?? '';
    if (req.method === 'POST' && parts.length === 2 && parts[1] === '_search') {
      if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
        return send(res, 415, outcome('not-supported', '_search takes a form-encoded body'));
      }
      const params = new URLSearchParams(url.search);
      for (const [k, v] of new URLSearchParams(body ?? '')) params.append(k, v);
      return search(res, type, params, fault);
    }
    if (req.method !== 'GET') return send(res, 405, outcome('not-supported', 'read and search only'));
    if (parts.length === 2) {
      const found = (byType.get(type) ?? []).find((r) => r.id === parts[1]);
      return found === undefined ? send(res, 404, outcome('not-found', `${type} not found`)) : send(res, 200, found);
    }
    if (parts.length === 1 && type !== '') return search(res, type, url.searchParams, fault);
    return send(res, 404, outcome('not-found', 'unknown path'));
  }

  /** Returns true when the fault answered the request itself. */
  async function applyFault(fault: Fault, res: ServerResponse, url: URL): Promise<boolean> {
    switch (fault.kind) {
      case 'slow':
        await sleep(fault.ms);
        return res.destroyed; // the client gave up: nothing more to do
      case 'status': {
        const headers: Record<string, string> = {};
        if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
        if (fault.status === 401) headers['www-authenticate'] = 'Bearer error="invalid_token"';
        send(res, fault.status, outcome(fault.status === 401 ? 'login' : 'exception', `fault ${fault.status}`), headers);
        return true;
      }
      case 'malformed-json':
        res.writeHead(200, { 'content-type': FHIR_JSON });
        res.end('{"resourceType":"Bundle","type":"searchset","entry":[{"resource":');
        return true;
      case 'html-error':
        res.writeHead(fault.status ?? 200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>');
        return true;
      case 'huge-bundle':
        await streamHugeBundle(res, fault.bytes, fault.declareLength === true);
        return true;
      case 'redirect':
        // The same path and query on another host: a client that follows it would take the token along.
        res.writeHead(302, { location: `${fault.to.replace(/\/+$/, '')}${url.pathname}${url.search}` });
        res.end();
        return true;
      case 'looping-next':
      case 'foreign-next':
        return false; // search() writes the odd link
      case 'gzip':
        if (/\bgzip\b/.test(String(res.req.headers['accept-encoding'] ?? ''))) gzipped.add(res);
        return false; // answered as usual, compressed by send()
      case 'gzip-bomb': {
        const inflated = Buffer.alloc(fault.bytes, ' ');
        inflated.write('{"resourceType":"Bundle","type":"searchset","entry":[]');
        inflated.write('}', fault.bytes - 1);
        const body = gzipSync(inflated);
        res.writeHead(200, { 'content-type': FHIR_JSON, 'content-encoding': 'gzip', 'content-length': String(body.length) });
        res.end(body);
        return true;
      }
      case 'garbled-encoding':
        res.writeHead(200, { 'content-type': FHIR_JSON, 'content-encoding': fault.encoding });
        res.end(Buffer.from('{"resourceType":"Bundle"} is not compressed'));
        return true;
    }
  }

  async function streamHugeBundle(res: ServerResponse, bytes: number, declareLength: boolean): Promise<void> {
    hugeBundle.bytesSent = 0;
    hugeBundle.clientHungUp = false;
    res.on('close', () => {
      if (!res.writableFinished) hugeBundle.clientHungUp = true;
    });
    const entry = JSON.stringify({ resource: { resourceType: 'Observation', id: 'x', status: 'final', code: { text: 'x'.repeat(900) } } });
    // Chunked, no Content-Length: the client can only stop by counting what it reads. With
    // `declareLength`, the exact length up front: a client can refuse before reading a byte.
    const entries = Math.max(1, Math.ceil(bytes / (entry.length + 1)));
    const length = '{"resourceType":"Bundle","type":"searchset","entry":[]}'.length + entries * (entry.length + 1) - 1;
    res.writeHead(200, { 'content-type': FHIR_JSON, ...(declareLength ? { 'content-length': String(length) } : {}) });
    const write = (s: string) =>
      new Promise<boolean>((resolve) => {
        if (res.destroyed) return resolve(false);
        hugeBundle.bytesSent += Buffer.byteLength(s);
        if (res.write(s)) return resolve(true);
        const done = (ok: boolean) => () => {
          res.off('drain', onDrain);
          res.off('close', onClose);
          resolve(ok);
        };
        const onDrain = done(true);
        const onClose = done(false);
        res.once('drain', onDrain);
        res.once('close', onClose);
      });
    if (!(await write('{"resourceType":"Bundle","type":"searchset","entry":['))) return;
    for (let i = 0; i < entries; i++) {
      if (!(await write(`${i === 0 ? '' : ','}${entry}`))) return;
    }
    if (await write(']}')) res.end();
  }

  function search(res: ServerResponse, type: string, params: URLSearchParams, fault: Fault | undefined): void {
    let matches = candidates(type, params).filter((r) => matchesAll(r, params));
    const sort = params.get('_sort');
    if (sort === '-date' || sort === 'date') {
      const sign = sort === '-date' ? -1 : 1;
      matches = [...matches].sort((a, b) => sign * (dateOf(a) - dateOf(b)));
    }
    const count = clampInt(params.get('_count'), defaultCount, 1, maxCount);
    const offset = clampInt(params.get('_offset'), 0, 0, Number.MAX_SAFE_INTEGER);
    const page = matches.slice(offset, offset + count);
    const self = new URL(`${baseUrl}/${type}`);
    for (const [k, v] of params) if (k !== '_offset') self.searchParams.append(k, v);
    const link: { relation: string; url: string }[] = [{ relation: 'self', url: withOffset(self, offset) }];
    if (fault?.kind === 'looping-next') link.push({ relation: 'next', url: withOffset(self, offset) });
    else if (fault?.kind === 'foreign-next')
      link.push({ relation: 'next', url: `${fault.to.replace(/\/+$/, '')}/${type}?_offset=${offset + count}` });
    else if (offset + count < matches.length) link.push({ relation: 'next', url: withOffset(self, offset + count) });
    send(res, 200, {
      resourceType: 'Bundle',
      type: 'searchset',
      total: matches.length,
      link,
      entry: page.map((resource) => ({ fullUrl: `${baseUrl}/${type}/${resource.id}`, resource, search: { mode: 'match' } })),
    });
  }

  server.on('connection', () => (connections.opened += 1));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  baseUrl = `${origin}${basePath}`;

  return {
    baseUrl,
    origin,
    requests,
    hugeBundle,
    concurrency,
    connections,
    fault(f) {
      faults.push({ ...f, used: 0 });
    },
    reset() {
      faults.length = 0;
      requests.length = 0;
      concurrency.max = concurrency.now;
      connections.opened = 0;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers a `gzip` fault marked for compression. */
const gzipped = new WeakSet<ServerResponse>();

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  if (gzipped.has(res)) {
    const zipped = gzipSync(text);
    res.writeHead(status, { 'content-type': FHIR_JSON, 'content-encoding': 'gzip', 'content-length': zipped.length, ...headers });
    res.end(zipped);
    return;
  }
  res.writeHead(status, { 'content-type': FHIR_JSON, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function outcome(code: string, diagnostics: string) {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] };
}

function capabilityStatement() {
  const searchParams = (names: string[]) =>
    names.map((name) => ({ name, type: name === 'date' ? 'date' : name === 'patient' ? 'reference' : 'token' }));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2025-01-01',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    software: { name: 'Vigil demo FHIR server' },
    rest: [
      {
        mode: 'server',
        resource: [
          { type: 'Patient', interaction: [{ code: 'read' }, { code: 'search-type' }], searchParam: searchParams(['_id']) },
          {
            type: 'Observation',
            interaction: [{ code: 'read' }, { code: 'search-type' }],
            searchParam: searchParams(['patient', 'subject', 'category', 'code', 'date']),
          },
          {
            type: 'Goal',
            interaction: [{ code: 'read' }, { code: 'search-type' }],
            searchParam: searchParams(['patient', 'subject', 'lifecycle-status']),
          },
        ],
      },
    ],
  };
}

/** Search parameters this server understands; others (and _-prefixed result parameters) are ignored. */
function matchesAll(r: Resource, params: URLSearchParams): boolean {
  for (const [name, value] of params) {
    const anyOf = value.split(',');
    switch (name) {
      case '_id':
        if (!anyOf.includes(r.id ?? '')) return false;
        break;
      case 'patient':
      case 'subject': {
        const ref = (r.subject as { reference?: string } | undefined)?.reference;
        if (!anyOf.some((v) => ref === (v.includes('/') ? v : `Patient/${v}`))) return false;
        break;
      }
      case 'category':
        if (!anyOf.some((t) => codeableMatches(r.category, t))) return false;
        break;
      case 'code':
        if (!anyOf.some((t) => codeableMatches(r.code, t))) return false;
        break;
      case 'lifecycle-status':
        if (!anyOf.includes(String(r.lifecycleStatus))) return false;
        break;
    }
  }
  return true;
}

/** FHIR token search: `system|code`, `code` alone, or `system|` (any code in that system). */
function codeableMatches(field: unknown, token: string): boolean {
  const concepts = (Array.isArray(field) ? field : [field]) as { coding?: { system?: string; code?: string }[] }[];
  const bar = token.indexOf('|');
  const system = bar >= 0 ? token.slice(0, bar) : undefined;
  const code = bar >= 0 ? token.slice(bar + 1) : token;
  return concepts.some((c) =>
    (c?.coding ?? []).some((k) => (system === undefined || system === '' ? true : k.system === system) && (code === '' || k.code === code)),
  );
}

function dateOf(r: Resource): number {
  const t =
    (r.effectiveDateTime as string | undefined) ??
    (r.effectivePeriod as { start?: string } | undefined)?.start ??
    (r.issued as string | undefined);
  return t === undefined ? 0 : Date.parse(t);
}

function clampInt(value: string | null, fallback: number, min: number, max: number): number {
  const n = value === null ? NaN : Number.parseInt(value, 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

function withOffset(self: URL, offset: number): string {
  const u = new URL(self);
  if (offset > 0) u.searchParams.set('_offset', String(offset));
  return u.href;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
