-- A circuit records its proof system. A PLONK (circom) circuit keeps its whole artifact (R1CS,
-- witness generator, ptau power and hash) in "circom"; "abi" and "bytecode" stay Noir's.
CREATE TYPE "ProofSystem" AS ENUM ('ULTRAHONK', 'PLONK');

ALTER TABLE "Circuit" ADD COLUMN "proofSystem" "ProofSystem" NOT NULL DEFAULT 'ULTRAHONK';
ALTER TABLE "Circuit" ADD COLUMN "circom" JSONB;
