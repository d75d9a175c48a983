// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IVerifier} from "../src/IVerifier.sol";

/// @notice Test helper: a "verifier" that accepts anything — what a dishonest coordinator would
/// like a job to commit to. Provers and requesters must refuse it (its code is not the circuit's).
contract AcceptAllVerifier is IVerifier {
    function verify(bytes calldata, bytes32[] calldata) external pure returns (bool) {
        return true;
    }
}
