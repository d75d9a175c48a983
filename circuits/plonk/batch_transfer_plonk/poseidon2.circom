pragma circom 2.1.0;

include "poseidon2_constants.circom";

// x^5 in three constraints.
template Sbox() {
    signal input in;
    signal output out;
    signal x2 <== in * in;
    signal x4 <== x2 * x2;
    out <== x4 * in;
}

// The external 4x4 matrix of Poseidon2 (Barretenberg's matrix_multiplication_4x4). Every partial
// sum is a signal: PLONK pays one gate per two-term sum, and more for longer linear combinations.
template ExternalMatrix() {
    signal input in[4];
    signal output out[4];
    signal t0 <== in[0] + in[1];
    signal t1 <== in[2] + in[3];
    signal t2 <== 2 * in[1] + t1;
    signal t3 <== 2 * in[3] + t0;
    signal t4 <== 4 * t1 + t3;
    signal t5 <== 4 * t0 + t2;
    out[0] <== t3 + t5;
    out[1] <== t5;
    out[2] <== t2 + t4;
    out[3] <== t4;
}

// One full round: constants on every lane, x^5 on every lane, external matrix.
// `last` picks the constants of the first (0) or the last (1) four full rounds; `r` the round.
template FullRound(last, r) {
    signal input in[4];
    signal output out[4];
    var rc[4][4] = last == 0 ? P2_FIRST_FULL_RC() : P2_LAST_FULL_RC();
    signal boxed[4];
    for (var i = 0; i < 4; i++) boxed[i] <== Sbox()(in[i] + rc[r][i]);
    out <== ExternalMatrix()(boxed);
}

// One partial round: a constant and x^5 on lane 0 only, then the internal matrix
// (diag(d - 1) x + sum(x), with the sum kept as a signal).
template PartialRound(r) {
    signal input in[4];
    signal output out[4];
    var diag[4] = P2_INTERNAL_DIAG_MINUS_ONE();
    var rc[56] = P2_PARTIAL_RC();
    signal boxed <== Sbox()(in[0] + rc[r]);
    signal sum <== boxed + in[1] + in[2] + in[3];
    out[0] <== diag[0] * boxed + sum;
    for (var i = 1; i < 4; i++) out[i] <== diag[i] * in[i] + sum;
}

// The Poseidon2 permutation (width 4, BN254), equal to Noir's std::hash::poseidon2_permutation.
template Poseidon2Permutation() {
    signal input in[4];
    signal output out[4];

    signal start[4] <== ExternalMatrix()(in);
    component rounds_first[4];
    component rounds_partial[56];
    component rounds_last[4];
    for (var r = 0; r < 4; r++) {
        rounds_first[r] = FullRound(0, r);
        for (var i = 0; i < 4; i++) {
            rounds_first[r].in[i] <== r == 0 ? start[i] : rounds_first[r - 1].out[i];
        }
    }
    for (var r = 0; r < 56; r++) {
        rounds_partial[r] = PartialRound(r);
        for (var i = 0; i < 4; i++) {
            rounds_partial[r].in[i] <== r == 0 ? rounds_first[3].out[i] : rounds_partial[r - 1].out[i];
        }
    }
    for (var r = 0; r < 4; r++) {
        rounds_last[r] = FullRound(1, r);
        for (var i = 0; i < 4; i++) {
            rounds_last[r].in[i] <== r == 0 ? rounds_partial[55].out[i] : rounds_last[r - 1].out[i];
        }
    }
    for (var i = 0; i < 4; i++) out[i] <== rounds_last[3].out[i];
}

// First lane of the permutation of [a, b, c, tag]: the hashes batch_transfer defines.
template Poseidon2First() {
    signal input in[4];
    signal output out;
    component p = Poseidon2Permutation();
    for (var i = 0; i < 4; i++) p.in[i] <== in[i];
    out <== p.out[0];
}
