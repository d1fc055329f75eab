# Vigil's container image. Two stages: the first installs every dependency and compiles TypeScript,
# then prunes dev dependencies; the second holds only what runs (dist/, production node_modules, the
# shipped model) on the same glibc base, because onnxruntime-node ships glibc binaries (no musl/Alpine).
# Runs as the image's non-root `node` user; writes only to /data (audit trail, feedback), so the root
# filesystem can be mounted read-only.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# .npmrc skips onnxruntime-node's install script (it would download GPU libraries; the CPU library
# ships in the package), so the build works offline and behind a hospital proxy.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/bundle.ts ./scripts/bundle.ts
COPY models ./models
RUN npm run build && npm prune --omit=dev --no-audit --no-fund
# onnxruntime-node ships binaries for every OS (~290 MB); a Linux image needs only its own (~70 MB).
RUN rm -rf node_modules/onnxruntime-node/bin/napi-v*/darwin node_modules/onnxruntime-node/bin/napi-v*/win32

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    VIGIL_DATA_DIR=/data
WORKDIR /app
# Owned by root and not writable by the runtime user: the code cannot be changed by the process.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/models ./models
# PostgreSQL schema, applied at start-up when VIGIL_DATABASE_URL is set (src/shared-state/postgres-migrations.ts).
COPY migrations ./migrations
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
VOLUME ["/data"]
USER node
EXPOSE 3000
# Node's own fetch: the slim image has no curl or wget, and a shell is not needed.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# `node` directly, not `npm start`: signals reach Vigil (graceful shutdown) and nothing is built at start.
STOPSIGNAL SIGTERM
CMD ["node", "--min-semi-space-size=32", "--max-semi-space-size=32", "--single-threaded-gc", "--no-allocation-site-pretenuring", "--heap-growing-percent=50", "dist/bundle/server.js"]
