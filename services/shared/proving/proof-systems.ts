// The proving backends one process holds, by proof system: UltraHonk (bb.js, always) and PLONK
// (snarkjs, when asked for and installed). Agent, coordinator and CLI pick the backend of a
// circuit's system here, so both systems go through the same code.
import { GavelError } from '../errors.js';
import type { ProofSystem, ProvingBackend } from './backend.js';
import { type AnyCircuitArtifact, proofSystemOf } from './circuit-artifact.js';
import { PlonkBackend } from './plonk/plonk-backend.js';

export class ProofSystems {
  private readonly plonk: Promise<ProvingBackend> | undefined;

  /** `ultrahonk` serves UltraHonk; PLONK is loaded on first use when `systems` lists it. */
  constructor(
    private readonly ultrahonk: ProvingBackend,
    readonly systems: readonly ProofSystem[] = ['ultrahonk'],
  ) {
    if (systems.includes('plonk')) {
      this.plonk = PlonkBackend.create();
      this.plonk.catch(() => undefined);
    }
  }

  /** The backend of `system`; UNSUPPORTED_PROOF_SYSTEM when this process does not prove it. */
  async backend(system: ProofSystem): Promise<ProvingBackend> {
    if (system === 'ultrahonk') return this.ultrahonk;
    if (this.plonk) return this.plonk;
    throw new GavelError('UNSUPPORTED_PROOF_SYSTEM', `this process does not prove ${system} circuits`);
  }

  backendFor(artifact: AnyCircuitArtifact): Promise<ProvingBackend> {
    return this.backend(proofSystemOf(artifact));
  }

  async destroy(): Promise<void> {
    await this.ultrahonk.destroy();
    if (this.plonk) await (await this.plonk.catch(() => undefined))?.destroy();
  }
}
