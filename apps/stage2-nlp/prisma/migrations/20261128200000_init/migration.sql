-- CreateTable
CREATE TABLE "processed_documents" (
    "document_id" TEXT NOT NULL,
    "job_id" UUID NOT NULL,
    "batch_id" TEXT NOT NULL,
    "title" TEXT,
    "author" TEXT,
    "publication_date" TEXT,
    "source_url" TEXT,
    "text" TEXT NOT NULL,
    "word_count" INTEGER NOT NULL,
    "sentence_count" INTEGER NOT NULL,
    "extra" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_documents_pkey" PRIMARY KEY ("document_id")
);

-- CreateTable
CREATE TABLE "entities" (
    "entity_id" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "canonical_name" TEXT NOT NULL,
    "aliases" TEXT[],

    CONSTRAINT "entities_pkey" PRIMARY KEY ("entity_id")
);

-- CreateTable
CREATE TABLE "document_entities" (
    "document_id" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "entity_type" TEXT NOT NULL,
    "canonical_name" TEXT NOT NULL,
    "aliases" TEXT[],
    "mentions" JSONB NOT NULL,
    "mention_count" INTEGER NOT NULL,

    CONSTRAINT "document_entities_pkey" PRIMARY KEY ("document_id","entity_id")
);

-- CreateTable
CREATE TABLE "events" (
    "event_id" TEXT NOT NULL,
    "document_id" TEXT NOT NULL,
    "job_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "event_type" TEXT NOT NULL,
    "trigger_text" TEXT NOT NULL,
    "trigger_start" INTEGER NOT NULL,
    "trigger_end" INTEGER NOT NULL,
    "sentence_index" INTEGER NOT NULL,
    "event_date" DATE,
    "description" TEXT NOT NULL,
    "participants" JSONB NOT NULL,
    "place" TEXT,
    "confidence" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "events_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "event_linkages" (
    "linkage_id" TEXT NOT NULL,
    "source_event_id" TEXT NOT NULL,
    "target_event_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "job_id" UUID NOT NULL,

    CONSTRAINT "event_linkages_pkey" PRIMARY KEY ("linkage_id")
);

-- CreateTable
CREATE TABLE "storylines" (
    "storyline_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "event_ids" TEXT[],
    "document_ids" TEXT[],
    "start_date" TEXT,
    "end_date" TEXT,
    "job_id" UUID NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "storylines_pkey" PRIMARY KEY ("storyline_id")
);

-- CreateTable
CREATE TABLE "link_state" (
    "id" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "document_count" INTEGER NOT NULL,
    "revision" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "link_state_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "link_terms" (
    "term" TEXT NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "frequency" INTEGER NOT NULL,

    CONSTRAINT "link_terms_pkey" PRIMARY KEY ("term")
);

-- CreateTable
CREATE TABLE "link_storylines" (
    "storyline_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "state" JSON NOT NULL,

    CONSTRAINT "link_storylines_pkey" PRIMARY KEY ("storyline_id")
);

-- CreateIndex
CREATE INDEX "processed_documents_batch_id_idx" ON "processed_documents"("batch_id");

-- CreateIndex
CREATE INDEX "document_entities_entity_id_idx" ON "document_entities"("entity_id");

-- CreateIndex
CREATE INDEX "events_document_id_idx" ON "events"("document_id");

-- CreateIndex
CREATE INDEX "events_event_type_event_date_idx" ON "events"("event_type", "event_date");

-- CreateIndex
CREATE INDEX "event_linkages_source_event_id_idx" ON "event_linkages"("source_event_id");

-- CreateIndex
CREATE INDEX "event_linkages_target_event_id_idx" ON "event_linkages"("target_event_id");

-- AddForeignKey
ALTER TABLE "document_entities" ADD CONSTRAINT "document_entities_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "processed_documents"("document_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document_entities" ADD CONSTRAINT "document_entities_entity_id_fkey" FOREIGN KEY ("entity_id") REFERENCES "entities"("entity_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "processed_documents"("document_id") ON DELETE CASCADE ON UPDATE CASCADE;
