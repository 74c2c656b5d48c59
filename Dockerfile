# The Node server as a container image (docs/container.md). Build and run:
#   docker build -t connect-service-template .
#   docker run --rm -p 8080:8080 -v app-data:/data connect-service-template
#
# Both stages use the Node the project pins: the `node` devDependency in package.json.
# Keep the two tags below in step with it (test/node/dockerfile.test.ts fails if not).

# Build stage: the whole project, as on a developer machine. `npm install` (not `npm ci`,
# see README "Toolchain") installs every dependency and runs `prepare` (generated code,
# page, bundle); `npm run build:node` then writes the self-contained folder /out.
FROM node:26.10.0-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN npm install --no-audit --no-fund
RUN npm run build:node -- /out
# Production dependencies only: esbuild inlines every package, so today this installs
# nothing (the folder's package.json lists no dependencies); it is here for the day the
# bundle leaves one out.
WORKDIR /out
RUN npm install --omit=dev --no-audit --no-fund

# Runtime stage: Node, the folder, nothing of the build (no sources, no devDependencies).
FROM node:26.10.0-bookworm-slim AS runtime
# NODE_COMPILE_CACHE: V8's code caches, as `npm start` turns them on (Node's, and the one
# start.cjs writes for the bundle); on a writable /tmp they take ~55 ms (of ~340) off every
# start after the first (silently unused where not writable).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATABASE_PATH=/data/app.db \
    NODE_COMPILE_CACHE=/tmp/node-compile-cache
WORKDIR /app
# Owned by root and not writable by the server: only /data (and /tmp) are.
COPY --from=build /out /app
# uid/gid 1000 is the image's `node` user; numeric, so Kubernetes' runAsNonRoot can verify it.
RUN mkdir -p /data && chown 1000:1000 /data
VOLUME /data
USER 1000:1000
EXPOSE 8080
# Slim images have no curl: Node's own fetch asks GET /healthz (process alive).
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1, no init: the server installs SIGTERM/SIGINT handlers (drain, then
# exit 0), so the signals the kernel would ignore for a PID 1 without handlers do reach it,
# and it starts no child processes that would need reaping. Exec form, so no shell sits in
# between and swallows the signal. (`docker run --init` adds tini if ever needed.)
STOPSIGNAL SIGTERM
CMD ["node", "--min-semi-space-size=16", "--no-allocation-site-pretenuring", "dist/node/server/start.cjs"]
