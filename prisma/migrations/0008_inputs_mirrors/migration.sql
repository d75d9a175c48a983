-- Inputs availability: the watchtowers a requester required to hold its inputs before auction
ALTER TABLE "Job" ADD COLUMN "mirrorsRequired" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Job" ADD COLUMN "mirrors" JSONB NOT NULL DEFAULT '[]';
