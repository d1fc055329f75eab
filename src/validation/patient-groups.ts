// Gathers an export's Observations and Goals by patient, so each patient can be replayed with all of
// their data, in bounded memory. A bulk export is not ordered by patient, so grouping needs either
// everything in memory or a pass through disk: up to `partitionBytes` of (slimmed) resources are held
// in memory; beyond that, lines are spilled to partition files by a hash of the patient, and each
// partition is grouped in memory in turn. Either way the groups come out in patient order, so the
// report does not depend on how the data were partitioned.
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FhirResource } from '../fhir/resources.js';
import { readLines } from './lines.js';

export interface TimedObservation {
  at: number;
  resource: FhirResource;
}

export interface PatientGroup {
  patient: string;
  observations: TimedObservation[];
  goals: FhirResource[];
}

type Entry = ['o', string, number, FhirResource] | ['g', string, FhirResource];

/** At most this many partition files: beyond it a partition simply holds more than asked. */
const MAX_PARTITIONS = 512;
/** Lines buffered per partition before they are appended to its file. */
const FLUSH_BYTES = 1 << 20;

/** FNV-1a: a stable, fast string hash; any change here only moves patients between partitions. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class PatientGroups {
  private readonly partitions: number;
  private readonly memory = new Map<string, PatientGroup>();
  private dir: string | undefined;
  private readonly buffers: string[][];
  private readonly bufferedBytes: number[];

  /** `expectedBytes`: about how much the export holds; `partitionBytes`: how much to group in memory at once. */
  constructor(expectedBytes: number, partitionBytes: number) {
    this.partitions = Math.min(MAX_PARTITIONS, Math.max(1, Math.ceil(expectedBytes / partitionBytes)));
    this.buffers = Array.from({ length: this.partitions }, () => []);
    this.bufferedBytes = new Array<number>(this.partitions).fill(0);
  }

  get partitionCount(): number {
    return this.partitions;
  }

  async addObservation(patient: string, at: number, resource: FhirResource): Promise<void> {
    if (this.partitions === 1) this.groupOf(this.memory, patient).observations.push({ at, resource });
    else await this.spill(patient, ['o', patient, at, resource]);
  }

  async addGoal(patient: string, resource: FhirResource): Promise<void> {
    if (this.partitions === 1) this.groupOf(this.memory, patient).goals.push(resource);
    else await this.spill(patient, ['g', patient, resource]);
  }

  /** Every patient's group, in patient order within each partition; partition files are removed as read. */
  async *groups(): AsyncGenerator<PatientGroup> {
    if (this.partitions === 1) {
      yield* sortedGroups(this.memory);
      return;
    }
    for (let p = 0; p < this.partitions; p++) await this.flush(p);
    try {
      for (let p = 0; p < this.partitions; p++) {
        const groups = new Map<string, PatientGroup>();
        const file = this.fileOf(p);
        if (file === undefined) continue;
        for await (const line of readLines(file)) {
          const entry = JSON.parse(line) as Entry;
          if (entry[0] === 'o') this.groupOf(groups, entry[1]).observations.push({ at: entry[2], resource: entry[3] });
          else this.groupOf(groups, entry[1]).goals.push(entry[2]);
        }
        await rm(file, { force: true });
        yield* sortedGroups(groups);
      }
    } finally {
      await this.close();
    }
  }

  /** Removes any partition files left (an interrupted run). */
  async close(): Promise<void> {
    if (this.dir !== undefined) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private groupOf(map: Map<string, PatientGroup>, patient: string): PatientGroup {
    let group = map.get(patient);
    if (group === undefined) {
      group = { patient, observations: [], goals: [] };
      map.set(patient, group);
    }
    return group;
  }

  private written = new Set<number>();

  private fileOf(p: number): string | undefined {
    return this.dir !== undefined && this.written.has(p) ? join(this.dir, `partition-${p}.jsonl`) : undefined;
  }

  private async spill(patient: string, entry: Entry): Promise<void> {
    const p = fnv1a(patient) % this.partitions;
    const line = `${JSON.stringify(entry)}\n`;
    this.buffers[p]?.push(line);
    this.bufferedBytes[p] = (this.bufferedBytes[p] ?? 0) + line.length;
    if ((this.bufferedBytes[p] ?? 0) >= FLUSH_BYTES) await this.flush(p);
  }

  private async flush(p: number): Promise<void> {
    const lines = this.buffers[p];
    if (lines === undefined || lines.length === 0) return;
    this.dir ??= await mkdtemp(join(tmpdir(), 'vigil-validate-'));
    await appendFile(join(this.dir, `partition-${p}.jsonl`), lines.join(''), { mode: 0o600 });
    this.written.add(p);
    this.buffers[p] = [];
    this.bufferedBytes[p] = 0;
  }
}

function* sortedGroups(map: Map<string, PatientGroup>): Generator<PatientGroup> {
  for (const patient of [...map.keys()].sort()) {
    const group = map.get(patient);
    if (group !== undefined) yield group;
  }
}
