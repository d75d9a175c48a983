pragma circom 2.1.0;

// batch_transfer in circom: the same statement as circuits/batch_transfer (Noir), over the same
// Poseidon2 account tree, with the same public inputs (old_root, new_root, batch_hash).
//
// Leaf   = P2([owner, balance, nonce, 1])[0]
// Node   = P2([left, right, 0, 2])[0]
// Batch  = fold of P2([acc, from + to * 2^32 + nonce * 2^64, amount, 3])[0], starting at 0
//
// Balances and amounts are range-checked to 64 bits, account indices to the tree's depth.

include "circomlib/circuits/bitify.circom";
include "poseidon2.circom";

template LeafHash() {
    signal input owner;
    signal input balance;
    signal input nonce;
    signal output out;
    out <== Poseidon2First()([owner, balance, nonce, 1]);
}

template NodeHash() {
    signal input left;
    signal input right;
    signal output out;
    out <== Poseidon2First()([left, right, 0, 2]);
}

// Walks one Merkle path and returns the roots with the old and with the new leaf.
template Roots(D) {
    signal input index;
    signal input old_leaf;
    signal input new_leaf;
    signal input siblings[D];
    signal output old_root;
    signal output new_root;

    signal bits[D] <== Num2Bits(D)(index);
    signal old[D + 1];
    signal new[D + 1];
    signal old_left[D];
    signal new_left[D];
    old[0] <== old_leaf;
    new[0] <== new_leaf;
    for (var i = 0; i < D; i++) {
        old_left[i] <== old[i] + bits[i] * (siblings[i] - old[i]);
        new_left[i] <== new[i] + bits[i] * (siblings[i] - new[i]);
        old[i + 1] <== NodeHash()(old_left[i], old[i] + siblings[i] - old_left[i]);
        new[i + 1] <== NodeHash()(new_left[i], new[i] + siblings[i] - new_left[i]);
    }
    old_root <== old[D];
    new_root <== new[D];
}

// Applies one transfer to `root` and outputs the root after it.
template ApplyTransfer(D) {
    signal input root;
    signal input from;
    signal input to;
    signal input amount;
    signal input nonce;
    signal input sender_owner;
    signal input sender_balance;
    signal input sender_nonce;
    signal input sender_siblings[D];
    signal input receiver_owner;
    signal input receiver_balance;
    signal input receiver_nonce;
    signal input receiver_siblings[D];
    signal output new_root;

    // sender and receiver must differ: (from - to) has an inverse.
    signal distinct <-- from != to ? 1 / (from - to) : 0;
    distinct * (from - to) === 1;
    nonce === sender_nonce;
    _ <== Num2Bits(64)(amount);

    signal sender_after <== sender_balance - amount;
    _ <== Num2Bits(64)(sender_after);
    component sender = Roots(D);
    sender.index <== from;
    sender.old_leaf <== LeafHash()(sender_owner, sender_balance, sender_nonce);
    sender.new_leaf <== LeafHash()(sender_owner, sender_after, sender_nonce + 1);
    sender.siblings <== sender_siblings;
    sender.old_root === root;

    signal receiver_after <== receiver_balance + amount;
    _ <== Num2Bits(64)(receiver_after);
    component receiver = Roots(D);
    receiver.index <== to;
    receiver.old_leaf <== LeafHash()(receiver_owner, receiver_balance, receiver_nonce);
    receiver.new_leaf <== LeafHash()(receiver_owner, receiver_after, receiver_nonce);
    receiver.siblings <== receiver_siblings;
    receiver.old_root === sender.new_root;
    new_root <== receiver.new_root;
}

// Checks that applying the B transfers in order moves the tree from old_root to new_root and
// that batch_hash commits to exactly these transfers.
template BatchTransfer(D, B) {
    signal input old_root;
    signal input new_root;
    signal input batch_hash;
    signal input from[B];
    signal input to[B];
    signal input amount[B];
    signal input nonce[B];
    signal input sender_owner[B];
    signal input sender_balance[B];
    signal input sender_nonce[B];
    signal input sender_siblings[B][D];
    signal input receiver_owner[B];
    signal input receiver_balance[B];
    signal input receiver_nonce[B];
    signal input receiver_siblings[B][D];

    signal roots[B + 1];
    signal acc[B + 1];
    roots[0] <== old_root;
    acc[0] <== 0;
    component apply[B];
    for (var i = 0; i < B; i++) {
        apply[i] = ApplyTransfer(D);
        apply[i].root <== roots[i];
        apply[i].from <== from[i];
        apply[i].to <== to[i];
        apply[i].amount <== amount[i];
        apply[i].nonce <== nonce[i];
        apply[i].sender_owner <== sender_owner[i];
        apply[i].sender_balance <== sender_balance[i];
        apply[i].sender_nonce <== sender_nonce[i];
        apply[i].sender_siblings <== sender_siblings[i];
        apply[i].receiver_owner <== receiver_owner[i];
        apply[i].receiver_balance <== receiver_balance[i];
        apply[i].receiver_nonce <== receiver_nonce[i];
        apply[i].receiver_siblings <== receiver_siblings[i];
        roots[i + 1] <== apply[i].new_root;
        acc[i + 1] <== Poseidon2First()([
            acc[i],
            from[i] + to[i] * 4294967296 + nonce[i] * 18446744073709551616,
            amount[i],
            3
        ]);
    }
    roots[B] === new_root;
    acc[B] === batch_hash;
}

component main { public [old_root, new_root, batch_hash] } = BatchTransfer(4, 2);
