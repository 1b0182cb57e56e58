# syntax=docker/dockerfile:1
# Multi-stage: the build stage compiles TypeScript and bundles the widget and the console with the
# dev dependencies; the runtime stage holds only dist/, package.json and production modules, and
# runs as the unprivileged `node` user. The entry is `node` itself (exec form, no npm or shell in
# between), so SIGTERM from `docker stop` reaches the service and it stops cleanly (README,
# "Stopping").

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_FILE=/app/data/store.json
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# The JSON-file store and the secrets generated in sandbox mode live here: mount a volume on it.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
# Liveness for plain Docker; orchestrators should probe GET /health and GET /ready themselves.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
