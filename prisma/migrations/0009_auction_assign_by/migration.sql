-- The chain time (seconds) by which a round's winner is assigned on-chain: a bid must stay valid
-- until then, and its delivery time is counted from then. Set when the round is announced.
ALTER TABLE "Auction" ADD COLUMN "assignBy" INTEGER NOT NULL DEFAULT 0;
