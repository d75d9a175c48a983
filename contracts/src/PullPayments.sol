// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// @title Pull payments shared by Gavel's contracts
/// @notice Amounts owed are credited to an account and claimed by it (pull), so a failing or
/// hostile receiver can never block the contract that owes it.
/// Invariant kept with the inheriting contract: totalClaimable == sum of claimable.
abstract contract PullPayments is ReentrancyGuard {
    error NothingToClaim(address account);
    error TransferFailed(address to, uint256 amount);

    event Claimed(address indexed account, uint256 amount);

    mapping(address => uint256) public claimable;
    uint256 public totalClaimable;

    /// @notice Sends the caller everything credited to it.
    function claim() external nonReentrant {
        uint256 amount = claimable[msg.sender];
        if (amount == 0) revert NothingToClaim(msg.sender);
        claimable[msg.sender] = 0;
        totalClaimable -= amount;
        emit Claimed(msg.sender, amount);
        _send(msg.sender, amount);
    }

    function _credit(address to, uint256 amount) internal {
        if (amount == 0) return;
        claimable[to] += amount;
        totalClaimable += amount;
    }

    function _send(address to, uint256 amount) internal {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }
}
