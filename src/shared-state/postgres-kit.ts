// Everything that speaks to PostgreSQL, in one module that open-shared-state.ts imports only when
// VIGIL_DATABASE_URL is set: `pg` and these modules cost ~70 ms of start-up on a 2-vCPU VM
// (bench/RESULTS.md, fourteenth pass), which a deployment on files should not pay before it is ready.
export { PostgresAuditStore } from './postgres-audit-store.js';
export { MIGRATION_PENDING, PostgresState } from './postgres-client.js';
export { MigrationChangedError } from './postgres-migrations.js';
export { PostgresFeedbackStore } from './postgres-feedback-store.js';
