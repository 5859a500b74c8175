-- CreateTable
CREATE TABLE "stage5_sync_state" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "watermark_updated_at" TIMESTAMPTZ(6),
    "watermark_job_id" TEXT,
    "communities" INTEGER NOT NULL DEFAULT 0,
    "modularity" DOUBLE PRECISION,
    "enriched_at" TIMESTAMPTZ(6),
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stage5_sync_state_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "stage5_sync_state_single_row" CHECK ("id" = 1)
);

-- CreateTable
CREATE TABLE "stage5_processed_jobs" (
    "job_id" TEXT NOT NULL,
    "batch_id" TEXT NOT NULL,
    "job_updated_at" TIMESTAMPTZ(6) NOT NULL,
    "processed_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "documents" INTEGER NOT NULL DEFAULT 0,
    "events" INTEGER NOT NULL DEFAULT 0,
    "entities" INTEGER NOT NULL DEFAULT 0,
    "linkages" INTEGER NOT NULL DEFAULT 0,
    "storylines" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "stage5_processed_jobs_pkey" PRIMARY KEY ("job_id")
);

-- CreateTable
CREATE TABLE "stage5_nodes" (
    "node_key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "record_id" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "job_id" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stage5_nodes_pkey" PRIMARY KEY ("node_key")
);

-- CreateTable
CREATE TABLE "stage5_edges" (
    "edge_key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "weight" DOUBLE PRECISION NOT NULL,
    "roles" TEXT[],
    "position" INTEGER,

    CONSTRAINT "stage5_edges_pkey" PRIMARY KEY ("edge_key")
);

-- CreateTable
CREATE TABLE "stage5_node_metrics" (
    "node_key" TEXT NOT NULL,
    "pagerank" DOUBLE PRECISION NOT NULL,
    "degree" INTEGER NOT NULL,
    "community" INTEGER NOT NULL,

    CONSTRAINT "stage5_node_metrics_pkey" PRIMARY KEY ("node_key")
);

-- CreateTable
CREATE TABLE "stage5_storyline_summaries" (
    "storyline_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "start_date" DATE,
    "end_date" DATE,
    "span_days" INTEGER,
    "community" INTEGER NOT NULL,
    "timeline" JSONB NOT NULL,
    "key_entities" JSONB NOT NULL,

    CONSTRAINT "stage5_storyline_summaries_pkey" PRIMARY KEY ("storyline_id")
);

-- CreateIndex
CREATE INDEX "stage5_processed_jobs_job_updated_at_idx" ON "stage5_processed_jobs"("job_updated_at");

-- CreateIndex
CREATE INDEX "stage5_nodes_kind_idx" ON "stage5_nodes"("kind");
