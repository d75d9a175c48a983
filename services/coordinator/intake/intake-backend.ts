// The backend that measures uploaded circuits, kept apart from the one that verifies results: a
// hostile upload can cost it time, never the verification of honest provers' proofs. A WASM call
// cannot be cancelled, so past its time limit the call is abandoned and the backend replaced.
import { GavelError } from '../../shared/errors.js';
import type { ProofSystem, ProvingBackend } from '../../shared/proving/backend.js';
import { BbBackend } from '../../shared/proving/bb-backend.js';
import { PlonkBackend } from '../../shared/proving/plonk/plonk-backend.js';

export class IntakeBackend {
  private backend: Promise<BbBackend> = BbBackend.create({ kind: 'wasm', threads: 1 });
  private plonk: Promise<PlonkBackend> | undefined;

  /** Runs `work` on the intake backend of `system`, failing with REGISTRATION_TIMEOUT after
   *  `timeoutMs`. (snarkjs runs off the event loop's back, so only bb.js's is ever replaced.) */
  async run<T>(
    work: (backend: ProvingBackend) => Promise<T>,
    timeoutMs: number,
    system: ProofSystem = 'ultrahonk',
  ): Promise<T> {
    if (system === 'plonk') {
      this.plonk ??= PlonkBackend.create();
      this.plonk.catch(() => {
        this.plonk = undefined;
      });
      return withTimeout(this.plonk.then(work), timeoutMs);
    }
    const current = this.backend;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Abandon the stuck backend (freed once its call returns) and start a fresh one.
        this.backend = BbBackend.create({ kind: 'wasm', threads: 1 });
        void current.then((b) => b.destroy()).catch(() => undefined);
        reject(
          new GavelError('REGISTRATION_TIMEOUT', `measuring the circuit took longer than ${timeoutMs} ms`),
        );
      }, timeoutMs);
    });
    try {
      return await Promise.race([current.then(work), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async destroy(): Promise<void> {
    await (await this.backend).destroy();
  }
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new GavelError('REGISTRATION_TIMEOUT', `measuring the circuit took longer than ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
