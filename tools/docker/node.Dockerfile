# One image for every Node service of the pipeline (Stage 2 worker+API, Stage 5, migrations).
# The service's command picks the entry point.
FROM node:20.20.2-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production NX_DAEMON=false NX_NO_CLOUD=true
COPY package.json package-lock.json ./
COPY tools/scripts ./tools/scripts
COPY apps/stage2-nlp/package.json apps/stage2-nlp/package.json
COPY apps/stage5-graph/package.json apps/stage5-graph/package.json
COPY libs/common/package.json libs/common/package.json
COPY libs/metadata-registry/package.json libs/metadata-registry/package.json
COPY libs/nlp/package.json libs/nlp/package.json
COPY libs/sql/package.json libs/sql/package.json
COPY libs/test-utils/package.json libs/test-utils/package.json
COPY tools/workspace-checks/package.json tools/workspace-checks/package.json
# Dev dependencies stay: the services run TypeScript through tsx.
RUN npm ci --include=dev --no-audit --no-fund --ignore-scripts
COPY . .
RUN node tools/scripts/prisma-generate.mjs
# The services' data folder (registry outbox, embedded databases, JSONL output), owned by the user
# they run as: a named volume mounted there starts as a copy of it, ownership included.
RUN mkdir -p /var/lib/storytelling && chown node:node /var/lib/storytelling
USER node
