// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Market} from "../src/Market.sol";

/// @notice Test helper: a consumer of the Market's verified facts. It accepts a statement (a list
/// of public inputs) only when the Market has recorded that the verifier this consumer trusts
/// accepted a proof of it: it reuses the Market's verification instead of verifying again.
contract FactConsumer {
    Market public immutable market;
    address public immutable verifier;
    uint256 public accepted;
    bytes32 public last;

    error NotVerified(bytes32 publicInputsHash);

    constructor(Market market_, address verifier_) {
        (market, verifier) = (market_, verifier_);
    }

    /// @notice Accepts `publicInputs` if a proof of them was verified by the trusted verifier.
    function advance(bytes32[] calldata publicInputs) external {
        bytes32 publicInputsHash = keccak256(abi.encodePacked(publicInputs));
        if (!market.isVerified(verifier, publicInputsHash)) revert NotVerified(publicInputsHash);
        (accepted, last) = (accepted + 1, publicInputsHash);
    }

    /// @notice The gas a check of one fact costs a consumer (the call to the Market included): the
    /// first in a transaction (`cold`: the Market and the slot touched for the first time), and
    /// the same check again (`warm`).
    function factCheckGas(bytes32 publicInputsHash) external view returns (bool verified, uint256 cold, uint256 warm) {
        uint256 start = gasleft();
        verified = market.isVerified(verifier, publicInputsHash);
        uint256 between = gasleft();
        market.isVerified(verifier, publicInputsHash);
        (cold, warm) = (start - between, between - gasleft());
    }
}
