# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the dev dependencies, then keep production dependencies only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

# Runtime stage: compiled code and production dependencies, as the unprivileged `node` user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=8080 DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/scripts ./scripts
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# RyzeAPI listens on 8080; the bridge on whatever PORT its container sets (8090 in docker-compose.yml).
EXPOSE 8080 8090
# Healthy = ready: started, not shutting down, database answering (/health/live answers while the process does).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
STOPSIGNAL SIGTERM
# `docker run <image>` runs RyzeAPI; `docker run -e PORT=8090 ... <image> bridge` runs the bridge
# (RyzeIntegrations); `docker run -v <volume>:/data <image> account:create acme` creates an account
# (service stopped when on the embedded database), `... keys:rotate` re-encrypts.
ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
CMD ["start"]
