// Everything that speaks to Redis, in one module that open-shared-state.ts imports only when
// VIGIL_REDIS_URL is set: `ioredis` and these modules cost ~130 ms of start-up on a 2-vCPU VM
// (bench/RESULTS.md, fourteenth pass), which a deployment on files should not pay before it is ready.
export { RedisState } from './redis-client.js';
export { RedisIssuedCards } from './redis-issued-cards.js';
export { RedisReplayStore } from './redis-replay-store.js';
export { createRedisSuppressionStore } from './redis-suppression-store.js';
