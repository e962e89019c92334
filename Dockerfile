# syntax=docker/dockerfile:1
# Store gateway image: builds the native modules (better-sqlite3, serialport) for the
# target in a build stage; the runtime stage has no compiler, runs as a non-root user
# under tini, and keeps its database on a volume.

ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY protocols ./protocols
COPY common ./common
COPY devices ./devices
COPY gateway ./gateway
COPY ui-shared ./ui-shared
COPY firmware-sim ./firmware-sim
COPY bin ./bin
RUN npm run build && npm prune --omit=dev

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system gateway && useradd --system --gid gateway --home /app gateway \
 && mkdir -p /data && chown gateway:gateway /data
WORKDIR /app
ENV NODE_ENV=production GW_DATA_DIR=/data
COPY --from=build --chown=gateway:gateway /app/node_modules ./node_modules
COPY --from=build --chown=gateway:gateway /app/dist ./dist
COPY --from=build --chown=gateway:gateway /app/bin ./bin
COPY --from=build --chown=gateway:gateway /app/package.json ./package.json
USER gateway
VOLUME ["/data"]
EXPOSE 1883 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.GW_HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
# The launcher itself, not `node bin/…`: its #! line carries the node memory flags.
CMD ["bin/store-gateway.js", "start"]
