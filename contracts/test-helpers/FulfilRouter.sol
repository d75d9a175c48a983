// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Market} from "../src/Market.sol";
import {ItemProof} from "../src/MarketTypes.sol";

/// @notice Test helper: a contract that fulfils through the Market (a batcher or a wallet would):
/// the fulfilment's transaction calldata is this contract's, not the Market's.
contract FulfilRouter {
    function route(Market market, bytes32 jobId, ItemProof[] calldata proofs) external {
        market.fulfil(jobId, proofs);
    }
}
