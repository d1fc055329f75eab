// Every CDS service Vigil hosts. Discovery lists exactly these.
import type { CdsServiceDefinition } from './definition.js';
import { deteriorationRisk } from './deterioration-risk.js';
import { sedationSafety } from './sedation-safety.js';

export const SERVICES: readonly CdsServiceDefinition[] = [deteriorationRisk, sedationSafety];
