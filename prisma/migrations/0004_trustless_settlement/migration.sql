-- Settlement needs on-chain proofs: SETTLE becomes FULFIL, REOPEN (which could slash on the
-- coordinator's word) becomes SLASH_LATE (only after the prover's own attempt deadline).
ALTER TYPE "OutboxKind" RENAME VALUE 'SETTLE' TO 'FULFIL';
ALTER TYPE "OutboxKind" RENAME VALUE 'REOPEN' TO 'SLASH_LATE';
ALTER TYPE "OutboxKind" ADD VALUE 'SLASH_INVALID';
ALTER TYPE "OutboxKind" ADD VALUE 'HAND_BACK';

-- AlterTable
ALTER TABLE "Bid" ADD COLUMN     "deliverySeconds" INTEGER NOT NULL DEFAULT 600;

-- AlterTable
ALTER TABLE "Circuit" ADD COLUMN     "verifier" TEXT;
