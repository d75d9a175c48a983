pragma circom 2.1.0;

// The smallest PLONK circuit: the prover knows x with x * x = y (the circom twin of tiny_square).
template Square() {
    signal input x;
    signal input y;
    x * x === y;
}

component main { public [y] } = Square();
