-- CreateTable
CREATE TABLE "job_registry" (
    "job_id" UUID NOT NULL,
    "batch_id" TEXT NOT NULL,
    "stage" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "documents_count" INTEGER NOT NULL DEFAULT 0,
    "processed_count" INTEGER NOT NULL DEFAULT 0,
    "failed_count" INTEGER NOT NULL DEFAULT 0,
    "events_count" INTEGER NOT NULL DEFAULT 0,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "error_message" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(6),

    CONSTRAINT "job_registry_pkey" PRIMARY KEY ("job_id")
);

-- CreateTable
CREATE TABLE "document_metadata" (
    "document_id" TEXT NOT NULL,
    "job_id" UUID NOT NULL,
    "title" TEXT,
    "author" TEXT,
    "publication_date" TIMESTAMPTZ(6),
    "source_url" TEXT,
    "word_count" INTEGER NOT NULL DEFAULT 0,
    "entity_count" INTEGER NOT NULL DEFAULT 0,
    "event_count" INTEGER NOT NULL DEFAULT 0,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "document_metadata_pkey" PRIMARY KEY ("document_id")
);

-- CreateTable
CREATE TABLE "event_metadata" (
    "event_id" TEXT NOT NULL,
    "document_id" TEXT NOT NULL,
    "job_id" UUID NOT NULL,
    "event_type" TEXT NOT NULL,
    "event_date" DATE,
    "description" TEXT NOT NULL,
    "trigger_text" TEXT NOT NULL,
    "trigger_start" INTEGER NOT NULL,
    "trigger_end" INTEGER NOT NULL,
    "participants" JSONB NOT NULL DEFAULT '[]',
    "place" TEXT,
    "confidence" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "event_metadata_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "entity_metadata" (
    "entity_id" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "canonical_name" TEXT NOT NULL,
    "aliases" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "entity_metadata_pkey" PRIMARY KEY ("entity_id")
);

-- CreateTable
CREATE TABLE "document_entities" (
    "document_id" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "job_id" UUID NOT NULL,
    "mention_count" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "document_entities_pkey" PRIMARY KEY ("document_id","entity_id")
);

-- CreateTable
CREATE TABLE "event_entities" (
    "event_id" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "job_id" UUID NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "event_entities_pkey" PRIMARY KEY ("event_id","entity_id","role")
);

-- CreateTable
CREATE TABLE "event_linkages" (
    "linkage_id" TEXT NOT NULL,
    "source_event_id" TEXT NOT NULL,
    "target_event_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "job_id" UUID NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "event_linkages_pkey" PRIMARY KEY ("linkage_id")
);

-- CreateTable
CREATE TABLE "storylines" (
    "storyline_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "start_date" DATE,
    "end_date" DATE,
    "job_id" UUID NOT NULL,
    "document_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "storylines_pkey" PRIMARY KEY ("storyline_id")
);

-- CreateTable
CREATE TABLE "storyline_events" (
    "storyline_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "event_id" TEXT NOT NULL,

    CONSTRAINT "storyline_events_pkey" PRIMARY KEY ("storyline_id","position")
);

-- CreateIndex
CREATE INDEX "job_registry_stage_status_idx" ON "job_registry"("stage", "status");

-- CreateIndex
CREATE INDEX "job_registry_stage_created_at_idx" ON "job_registry"("stage", "created_at");

-- CreateIndex
CREATE INDEX "job_registry_updated_at_idx" ON "job_registry"("updated_at");

-- CreateIndex
CREATE INDEX "document_metadata_job_id_document_id_idx" ON "document_metadata"("job_id", "document_id");

-- CreateIndex
CREATE INDEX "document_metadata_updated_at_idx" ON "document_metadata"("updated_at");

-- CreateIndex
CREATE INDEX "event_metadata_job_id_event_id_idx" ON "event_metadata"("job_id", "event_id");

-- CreateIndex
CREATE INDEX "event_metadata_updated_at_idx" ON "event_metadata"("updated_at");

-- CreateIndex
CREATE INDEX "entity_metadata_updated_at_idx" ON "entity_metadata"("updated_at");

-- CreateIndex
CREATE INDEX "document_entities_job_id_document_id_entity_id_idx" ON "document_entities"("job_id", "document_id", "entity_id");

-- CreateIndex
CREATE INDEX "document_entities_updated_at_idx" ON "document_entities"("updated_at");

-- CreateIndex
CREATE INDEX "event_entities_job_id_event_id_entity_id_role_idx" ON "event_entities"("job_id", "event_id", "entity_id", "role");

-- CreateIndex
CREATE INDEX "event_entities_updated_at_idx" ON "event_entities"("updated_at");

-- CreateIndex
CREATE INDEX "event_linkages_job_id_linkage_id_idx" ON "event_linkages"("job_id", "linkage_id");

-- CreateIndex
CREATE INDEX "event_linkages_updated_at_idx" ON "event_linkages"("updated_at");

-- CreateIndex
CREATE INDEX "storylines_job_id_storyline_id_idx" ON "storylines"("job_id", "storyline_id");

-- CreateIndex
CREATE INDEX "storylines_updated_at_idx" ON "storylines"("updated_at");

-- AddForeignKey
ALTER TABLE "storyline_events" ADD CONSTRAINT "storyline_events_storyline_id_fkey" FOREIGN KEY ("storyline_id") REFERENCES "storylines"("storyline_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Checks that Prisma does not model (the schema documents them on the columns).
ALTER TABLE "job_registry" ADD CONSTRAINT "job_registry_status_check" CHECK ("status" IN ('running', 'completed', 'failed'));
ALTER TABLE "event_linkages" ADD CONSTRAINT "event_linkages_kind_check" CHECK ("kind" IN ('coreference', 'precedes'));
