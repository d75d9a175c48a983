-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('OPEN', 'AUCTIONING', 'ASSIGNED', 'PROVING', 'VERIFYING', 'SETTLED', 'FAILED_ATTEMPT', 'EXPIRED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "AuctionRule" AS ENUM ('SECOND_PRICE', 'FIRST_PRICE');

-- CreateEnum
CREATE TYPE "AuctionStatus" AS ENUM ('OPEN', 'AWARDED', 'NO_BIDS');

-- CreateEnum
CREATE TYPE "AssignmentStatus" AS ENUM ('PENDING_CHAIN', 'ACTIVE', 'COMPLETED', 'FAILED');

-- CreateEnum
CREATE TYPE "OutboxKind" AS ENUM ('ASSIGN', 'SETTLE', 'REOPEN', 'EXPIRE');

-- CreateEnum
CREATE TYPE "OutboxStatus" AS ENUM ('PENDING', 'DONE', 'FAILED');

-- CreateTable
CREATE TABLE "Circuit" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "noirVersion" TEXT NOT NULL,
    "abi" JSONB NOT NULL,
    "bytecode" TEXT NOT NULL,
    "vk" BYTEA NOT NULL,
    "vkHash" TEXT NOT NULL,
    "gates" INTEGER NOT NULL,
    "dyadic" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Circuit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "circuitId" TEXT NOT NULL,
    "requester" TEXT NOT NULL,
    "status" "JobStatus" NOT NULL,
    "rule" "AuctionRule" NOT NULL,
    "reserveWei" TEXT NOT NULL,
    "collateralWei" TEXT NOT NULL,
    "deadline" TIMESTAMP(3) NOT NULL,
    "inputsHash" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "excludedProvers" TEXT[],
    "winner" TEXT,
    "clearingPriceWei" TEXT,
    "failureReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BatchItem" (
    "jobId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "inputs" JSONB NOT NULL,
    "publicInputs" JSONB NOT NULL,

    CONSTRAINT "BatchItem_pkey" PRIMARY KEY ("jobId","index")
);

-- CreateTable
CREATE TABLE "JobEvent" (
    "id" SERIAL NOT NULL,
    "jobId" TEXT NOT NULL,
    "from" "JobStatus",
    "to" "JobStatus" NOT NULL,
    "reason" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "JobEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Auction" (
    "id" SERIAL NOT NULL,
    "jobId" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "round" INTEGER NOT NULL DEFAULT 0,
    "rule" "AuctionRule" NOT NULL,
    "opensAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closesAt" TIMESTAMP(3) NOT NULL,
    "status" "AuctionStatus" NOT NULL DEFAULT 'OPEN',
    "announced" BOOLEAN NOT NULL DEFAULT false,
    "winner" TEXT,
    "clearingPriceWei" TEXT,

    CONSTRAINT "Auction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Bid" (
    "id" SERIAL NOT NULL,
    "auctionId" INTEGER NOT NULL,
    "prover" TEXT NOT NULL,
    "priceWei" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "expiry" INTEGER NOT NULL,
    "signature" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Bid_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Prover" (
    "address" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "backend" TEXT NOT NULL,
    "threads" INTEGER NOT NULL,
    "maxDyadic" INTEGER NOT NULL,
    "gatesPerSec" DOUBLE PRECISION NOT NULL,
    "lastSeen" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "jobsWon" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Prover_pkey" PRIMARY KEY ("address")
);

-- CreateTable
CREATE TABLE "Assignment" (
    "id" SERIAL NOT NULL,
    "jobId" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "prover" TEXT NOT NULL,
    "priceWei" TEXT NOT NULL,
    "status" "AssignmentStatus" NOT NULL,
    "leaseUntil" TIMESTAMP(3),
    "progress" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Assignment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Proof" (
    "jobId" TEXT NOT NULL,
    "itemIndex" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL,
    "prover" TEXT NOT NULL,
    "proof" BYTEA NOT NULL,
    "publicInputs" JSONB NOT NULL,
    "verifiedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Proof_pkey" PRIMARY KEY ("jobId","itemIndex")
);

-- CreateTable
CREATE TABLE "Settlement" (
    "jobId" TEXT NOT NULL,
    "prover" TEXT NOT NULL,
    "priceWei" TEXT NOT NULL,
    "txHash" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Settlement_pkey" PRIMARY KEY ("jobId")
);

-- CreateTable
CREATE TABLE "OutboxAction" (
    "id" SERIAL NOT NULL,
    "kind" "OutboxKind" NOT NULL,
    "jobId" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "status" "OutboxStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "txHash" TEXT,
    "lastError" TEXT,
    "notBefore" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "doneAt" TIMESTAMP(3),

    CONSTRAINT "OutboxAction_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Job_status_idx" ON "Job"("status");

-- CreateIndex
CREATE INDEX "JobEvent_jobId_idx" ON "JobEvent"("jobId");

-- CreateIndex
CREATE INDEX "Auction_status_closesAt_idx" ON "Auction"("status", "closesAt");

-- CreateIndex
CREATE UNIQUE INDEX "Auction_jobId_attempt_round_key" ON "Auction"("jobId", "attempt", "round");

-- CreateIndex
CREATE UNIQUE INDEX "Bid_auctionId_prover_key" ON "Bid"("auctionId", "prover");

-- CreateIndex
CREATE UNIQUE INDEX "Bid_prover_nonce_key" ON "Bid"("prover", "nonce");

-- CreateIndex
CREATE UNIQUE INDEX "Assignment_jobId_attempt_key" ON "Assignment"("jobId", "attempt");

-- CreateIndex
CREATE UNIQUE INDEX "OutboxAction_idempotencyKey_key" ON "OutboxAction"("idempotencyKey");

-- CreateIndex
CREATE INDEX "OutboxAction_status_notBefore_idx" ON "OutboxAction"("status", "notBefore");

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_circuitId_fkey" FOREIGN KEY ("circuitId") REFERENCES "Circuit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BatchItem" ADD CONSTRAINT "BatchItem_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JobEvent" ADD CONSTRAINT "JobEvent_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Auction" ADD CONSTRAINT "Auction_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Bid" ADD CONSTRAINT "Bid_auctionId_fkey" FOREIGN KEY ("auctionId") REFERENCES "Auction"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Assignment" ADD CONSTRAINT "Assignment_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Proof" ADD CONSTRAINT "Proof_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Settlement" ADD CONSTRAINT "Settlement_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

