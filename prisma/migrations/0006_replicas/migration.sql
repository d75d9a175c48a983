-- Coordinator replicas share one database: the last hello a prover signed is kept here (its
-- timestamp, ms), so a replayed or older hello is refused by every replica, not only by the one
-- that saw the newer hello.
ALTER TABLE "Prover" ADD COLUMN "helloAt" BIGINT NOT NULL DEFAULT 0;
