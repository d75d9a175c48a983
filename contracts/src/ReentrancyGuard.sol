// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Minimal reentrancy lock shared by Gavel's contracts.
abstract contract ReentrancyGuard {
    error Reentrancy();

    uint256 private _lock = 1;

    modifier nonReentrant() {
        if (_lock != 1) revert Reentrancy();
        _lock = 2;
        _;
        _lock = 1;
    }
}
