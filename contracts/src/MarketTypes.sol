// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

enum Status {
    None,
    Open,
    Assigned,
    Settled,
    Cancelled,
    Expired
}

/// @notice How the clearing price follows from the bids.
enum Rule {
    SecondPrice, // the runner-up's bid, or the reserve when there is none
    FirstPrice // the winner's own bid
}

/// @notice What a requester commits to when it opens a job: what a valid result is, and its terms.
struct Terms {
    bytes32 vkHash;
    address verifier; // registered for vkHash in the VerifierRegistry
    bytes32 inputsHash; // the private inputs the prover fetches must hash to this
    bytes32 publicInputsRoot; // Merkle root of (item index, keccak256(public inputs)) leaves
    uint32 items;
    uint64 deadline;
    uint256 collateral;
    Rule rule;
}

struct Job {
    address requester;
    Status status;
    Rule rule;
    uint32 attempt; // the auction attempt; bumped each time the job goes back to auction
    uint32 items;
    uint32 verified; // items of this attempt verified on-chain
    uint64 deadline;
    uint64 attemptDeadline; // delivery time the winner signed, capped by the deadline
    address prover;
    address verifier;
    uint256 reserve; // escrowed maximum price
    uint256 price; // clearing price, set at assignment
    uint256 collateral;
    bytes32 vkHash;
    bytes32 inputsHash;
    bytes32 publicInputsRoot;
}

/// @notice A prover's sealed bid (EIP-712), signed off-chain and checked at assignment.
struct Bid {
    bytes32 jobId;
    uint32 attempt;
    uint256 price;
    address prover;
    uint64 expiry;
    uint64 nonce;
    uint32 deliverySeconds; // the prover's own delivery time after assignment
}

/// @notice One batch item's proof with the Merkle proof of its committed public inputs.
struct ItemProof {
    uint32 index;
    bytes proof;
    bytes32[] publicInputs;
    bytes32[] merkleProof;
}

/// @notice A prover's signed claim (EIP-712) that `proofHash` proves item `item` with public inputs
/// hashing to `publicInputsHash`: evidence against it when the proof is invalid.
struct Result {
    bytes32 jobId;
    uint32 attempt;
    uint32 item;
    bytes32 proofHash;
    bytes32 publicInputsHash;
}
