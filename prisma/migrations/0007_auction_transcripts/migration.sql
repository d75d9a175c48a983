-- Auction transcripts: each accepted bid keeps its standing when its round closed (0: it could
-- win, otherwise why not, see services/shared/protocol/auction-transcript.ts), and the awarded
-- round keeps the Merkle root of its attempt's transcript, committed on-chain at assignment.
ALTER TABLE "Bid" ADD COLUMN "standing" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Auction" ADD COLUMN "transcriptRoot" TEXT;
-- A challenged bid receipt is answered on-chain with the bid's place in the committed transcript.
ALTER TYPE "OutboxKind" ADD VALUE 'ANSWER_CHALLENGE';
