// Telling provers of a circuit the moment it is registered: a prover builds a circuit's VK and
// checks its verifier before its first bid on it, which takes longer than an auction window on a
// busy machine. Noticed early, provers do it before the circuit's first auction opens.
import { type CircuitNotice, encode } from '../../shared/protocol/messages.js';
import { CIRCUITS_SUBJECT } from '../../shared/protocol/subjects.js';
import type { CoordinatorContext } from '../context.js';
import type { RegisteredCircuit } from './register-circuit.js';

/** Publishes `circuit` to every prover (again on every registration: late joiners hear it too). */
export function noticeCircuit(ctx: CoordinatorContext, circuit: RegisteredCircuit): void {
  const notice: CircuitNotice = {
    circuitId: circuit.id,
    proofSystem: circuit.proofSystem,
    vkHash: circuit.vkHash,
    verifier: circuit.verifier,
    dyadic: circuit.dyadic,
    coordinatorUrl: ctx.publicUrl(),
  };
  ctx.nc.publish(CIRCUITS_SUBJECT, encode(notice));
}
