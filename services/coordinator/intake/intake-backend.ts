// The backend that measures uploaded circuits, kept apart from the one that verifies results: a
// hostile upload can cost it time, never the verification of honest provers' proofs. A WASM call
// cannot be cancelled, so past its time limit the call is abandoned and the backend replaced.
import { GavelError } from '../../shared/errors.js';
import type { ProvingBackend } from '../../shared/proving/backend.js';
import { BbBackend } from '../../shared/proving/bb-backend.js';

export class IntakeBackend {
  private backend: Promise<BbBackend> = BbBackend.create({ kind: 'wasm', threads: 1 });

  /** Runs `work` on the intake backend, failing with REGISTRATION_TIMEOUT after `timeoutMs`. */
  async run<T>(work: (backend: ProvingBackend) => Promise<T>, timeoutMs: number): Promise<T> {
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
