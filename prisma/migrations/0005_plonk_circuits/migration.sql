-- A circuit records its proof system. A PLONK (circom) circuit keeps its whole artifact (R1CS,
-- witness generator, ptau power and hash) in "circom", while "abi" and "bytecode" stay Noir's.
CREATE TYPE "ProofSystem" AS ENUM ('ULTRAHONK', 'PLONK');

ALTER TABLE "Circuit" ADD COLUMN "proofSystem" "ProofSystem" NOT NULL DEFAULT 'ULTRAHONK';
ALTER TABLE "Circuit" ADD COLUMN "circom" JSONB;

-- A prover declares the proof systems it proves (and its PLONK speed). The coordinator refuses
-- bids on a system a prover did not declare, and judges PLONK bids by the PLONK speed.
ALTER TABLE "Prover" ADD COLUMN "proofSystems" TEXT[] DEFAULT ARRAY['ultrahonk']::TEXT[];
ALTER TABLE "Prover" ADD COLUMN "plonkGatesPerSec" DOUBLE PRECISION NOT NULL DEFAULT 0;
