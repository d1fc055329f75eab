// The deploy/ examples keep their shape: probes on the real health routes, limits, a non-root
// read-only container, the HPA aimed at the Deployment, the Service at its port, Prometheus at /metrics.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { configSchema } from '../../src/config.js';

const ROOT = join(import.meta.dirname, '..', '..');

function load(path: string): Record<string, any>[] {
  const docs = parseAllDocuments(readFileSync(join(ROOT, path), 'utf8'));
  for (const d of docs) expect(d.errors, path).toEqual([]);
  return docs.map((d) => d.toJS() as Record<string, any>);
}

const [deployment] = load('deploy/kubernetes/deployment.yaml');
const [service] = load('deploy/kubernetes/service.yaml');
const [hpa] = load('deploy/kubernetes/hpa.yaml');
const [pdb] = load('deploy/kubernetes/pdb.yaml');
const [scrape] = load('deploy/prometheus/scrape-config.yaml');
const container = deployment?.spec.template.spec.containers[0];
const podLabels = deployment?.spec.template.metadata.labels;
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

describe('the Kubernetes Deployment', () => {
  it('is an apps/v1 Deployment whose selector matches its pods', () => {
    expect(deployment).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment' });
    expect(podLabels).toMatchObject(deployment!.spec.selector.matchLabels);
  });

  it.each([
    ['livenessProbe', '/healthz'],
    ['readinessProbe', '/readyz'],
    ['startupProbe', '/healthz'],
  ])('has a %s on %s at the container port', (probe, path) => {
    expect(container[probe].httpGet.path).toBe(path);
    const port = container[probe].httpGet.port;
    expect(container.ports.some((p: { name: string; containerPort: number }) => p.name === port || p.containerPort === port)).toBe(true);
  });

  it('probes the admin port that VIGIL_ADMIN_PORT names, not the public one', () => {
    const admin = Number(container.env.find((e: { name: string }) => e.name === 'VIGIL_ADMIN_PORT').value);
    const adminPort = container.ports.find((p: { containerPort: number }) => p.containerPort === admin);
    expect(adminPort?.name).toBe('admin');
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) expect(container[probe].httpGet.port, probe).toBe('admin');
    expect(Number(deployment!.spec.template.metadata.annotations['prometheus.io/port'])).toBe(admin);
  });

  it('believes X-Forwarded-For from the ingress only (VIGIL_TRUSTED_PROXIES is set)', () => {
    const proxies = container.env.find((e: { name: string }) => e.name === 'VIGIL_TRUSTED_PROXIES');
    expect(proxies?.value).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+/);
  });

  it('sets requests and limits for CPU and memory', () => {
    for (const kind of ['requests', 'limits']) {
      expect(container.resources[kind].cpu, kind).toBeDefined();
      expect(container.resources[kind].memory, kind).toBeDefined();
    }
  });

  it('runs as non-root on a read-only root filesystem with /data writable', () => {
    expect(deployment!.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    const dataDir = container.env.find((e: { name: string }) => e.name === 'VIGIL_DATA_DIR').value;
    expect(container.volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toContain(dataDir);
  });

  it('gives the pod longer to stop than Vigil takes to finish its calls', () => {
    const grace = Number(container.env.find((e: { name: string }) => e.name === 'VIGIL_SHUTDOWN_GRACE_MS').value);
    const preStop = Number(container.lifecycle.preStop.exec.command[1]);
    expect(deployment!.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(grace + preStop * 1000);
  });

  it('sets only settings Vigil knows, and takes the audit key from a Secret', () => {
    const known = new Set(Object.keys(configSchema.shape));
    for (const e of container.env as { name: string }[]) expect(known.has(e.name), e.name).toBe(true);
    const key = container.env.find((e: { name: string }) => e.name === 'VIGIL_AUDIT_HMAC_KEY');
    expect(key.value).toBeUndefined();
    expect(key.valueFrom.secretKeyRef.name).toBeDefined();
  });

  it('shares state between its replicas: Redis and PostgreSQL URLs from the Secret the example shows', () => {
    const [secret] = load('deploy/kubernetes/secret.example.yaml');
    for (const name of ['VIGIL_AUDIT_HMAC_KEY', 'VIGIL_REDIS_URL', 'VIGIL_DATABASE_URL']) {
      const ref = container.env.find((e: { name: string }) => e.name === name)?.valueFrom?.secretKeyRef;
      expect(ref?.name, name).toBe(secret!.metadata.name);
      expect(Object.keys(secret!.stringData), name).toContain(ref.key);
    }
    expect(deployment!.spec.replicas).toBeGreaterThanOrEqual(2);
  });
});

describe('the Service, autoscaler, disruption budget and scrape job', () => {
  it('the Service selects the pods and targets the public port only', () => {
    expect(service).toMatchObject({ apiVersion: 'v1', kind: 'Service' });
    expect(podLabels).toMatchObject(service!.spec.selector);
    expect(container.ports.map((p: { name: string }) => p.name)).toContain(service!.spec.ports[0].targetPort);
    expect(service!.spec.ports.map((p: { targetPort: string }) => p.targetPort)).toEqual(['http']);
  });

  it('the HorizontalPodAutoscaler scales the Deployment on CPU', () => {
    expect(hpa).toMatchObject({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' });
    expect(hpa!.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment!.metadata.name });
    expect(hpa!.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa!.spec.maxReplicas).toBeGreaterThan(hpa!.spec.minReplicas);
    expect(hpa!.spec.metrics[0].resource.name).toBe('cpu');
  });

  it('the PodDisruptionBudget covers the pods', () => {
    expect(pdb).toMatchObject({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' });
    expect(podLabels).toMatchObject(pdb!.spec.selector.matchLabels);
  });

  it('Prometheus scrapes /metrics on the admin port of pods labelled like the Deployment', () => {
    const job = scrape!.scrape_configs[0];
    expect(job.metrics_path).toBe('/metrics');
    const keep = job.relabel_configs.find((r: { source_labels: string[] }) => r.source_labels[0] === '__meta_kubernetes_pod_label_app_kubernetes_io_name');
    expect(keep.regex).toBe(podLabels['app.kubernetes.io/name']);
    const port = job.relabel_configs.find((r: { source_labels: string[] }) => r.source_labels[0] === '__meta_kubernetes_pod_container_port_name');
    expect(port.regex).toBe('admin');
    expect(container.ports.map((p: { name: string }) => p.name)).toContain(port.regex);
  });
});

describe('the Dockerfile', () => {
  it.each([
    ['builds on glibc Node 20', /^FROM node:20-bookworm-slim AS build$/m],
    ['runs on the same base', /^FROM node:20-bookworm-slim$/m],
    ['installs with npm ci and the repository .npmrc', /COPY package\.json package-lock\.json \.npmrc[\s\S]*RUN npm ci/],
    ['builds and prunes dev dependencies', /npm run build && npm prune --omit=dev/],
    ['runs as the non-root node user', /^USER node$/m],
    ['listens on all interfaces in the container', /HOST=0\.0\.0\.0/],
    ['keeps its data in the /data volume', /VIGIL_DATA_DIR=\/data[\s\S]*VOLUME \["\/data"\]/],
    ['checks /healthz with node fetch', /HEALTHCHECK[\s\S]*fetch\([\s\S]*\/healthz/],
    ['exposes 3000', /^EXPOSE 3000$/m],
    ['carries the PostgreSQL migrations', /^COPY migrations \.\/migrations$/m],
    ['starts node directly so signals reach it', /^CMD \["node", ("--[a-z-]+(=[0-9]+)?", )*"dist\/bundle\/server\.js"\]$/m],
  ])('%s', (_what, pattern) => {
    expect(dockerfile).toMatch(pattern);
  });
});
