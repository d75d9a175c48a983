-- The template a circuit's verifier is built from: 'standard' (bb.js's HonkVerifier with its
-- libraries, or the PLONK adapter) or 'optimized' (bb's optimized UltraHonk verifier). Circuits
-- registered before had the standard one.
ALTER TABLE "Circuit" ADD COLUMN "verifierKind" TEXT NOT NULL DEFAULT 'standard';
