-- A job write's version (the queue's attempt and the step within it: register, then its status):
-- a write applies only when it is not older than the stored one, so an earlier attempt replayed
-- late (from another replica's outbox, a dead letter put back, a live write past its timeout) no
-- longer sets a job that a later attempt completed back to running or failed. Nullable, without a
-- default: adding it rewrites nothing, and rows written before it stay unversioned (any write
-- replaces them).
ALTER TABLE "job_registry" ADD COLUMN "attempt_version" BIGINT;
