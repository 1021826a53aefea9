# syntax=docker/dockerfile:1
# The Sotto server (and the web client it serves) in a small image: build everything in one stage, keep
# only the production dependencies and the built files in the next, run as an unprivileged user.
# Build from the repository root:  docker build -t sotto-server .   (docs/deploy.md, "Docker")
# Base images are pinned by version; to pin by digest too, use node:20.20.2-bookworm-slim@sha256:…

FROM node:20.20.2-bookworm-slim AS build
WORKDIR /src
# better-sqlite3 compiles its native module against Node's headers when no prebuilt binary fits.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# The manifests first, so the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json .npmrc ./
COPY packages/crypto/package.json packages/crypto/
COPY packages/protocol/package.json packages/protocol/
COPY packages/server/package.json packages/server/
COPY packages/client/package.json packages/client/
COPY packages/cli/package.json packages/cli/
COPY packages/web/package.json packages/web/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY packages packages
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20.20.2-bookworm-slim
ENV NODE_ENV=production \
    SOTTO_DATA=/var/lib/sotto \
    SOTTO_HOST=0.0.0.0 \
    SOTTO_PORT=8080
WORKDIR /opt/sotto
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/packages/crypto/package.json packages/crypto/
COPY --from=build /src/packages/crypto/dist packages/crypto/dist
COPY --from=build /src/packages/protocol/package.json packages/protocol/
COPY --from=build /src/packages/protocol/dist packages/protocol/dist
COPY --from=build /src/packages/server/package.json packages/server/
COPY --from=build /src/packages/server/dist packages/server/dist
COPY --from=build /src/packages/web/dist packages/web/dist
# `sotto-server` on the PATH, for the server and for `sotto-server admin …` (docker compose exec).
RUN chmod 0755 packages/server/dist/main.js \
  && ln -s /opt/sotto/packages/server/dist/main.js /usr/local/bin/sotto-server \
  && groupadd --system --gid 10001 sotto \
  && useradd --system --uid 10001 --gid sotto --home-dir /var/lib/sotto --shell /usr/sbin/nologin sotto \
  && mkdir -p /var/lib/sotto \
  && chown sotto:sotto /var/lib/sotto \
  && chmod 0700 /var/lib/sotto
USER sotto:sotto
# The SQLite database, the OPAQUE setup file (a secret: keep the volume private) and stored files.
VOLUME ["/var/lib/sotto"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.SOTTO_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["sotto-server"]
