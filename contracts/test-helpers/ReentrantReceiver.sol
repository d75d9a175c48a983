// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Test-only account: relays calls, and when paid either re-enters the paying contract once
/// with a prepared call (recording whether it succeeded and its revert data) or refuses the payment.
contract ReentrantReceiver {
    address public target;
    bytes public reentryCall;
    uint256 public reentryAttempts;
    bool public reentrySucceeded;
    bytes public reentryRevert;
    bool public refusePayments;

    error PaymentRefused();

    function execute(address to, bytes calldata data, uint256 value) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = to.call{value: value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    function arm(address target_, bytes calldata reentryCall_) external {
        target = target_;
        reentryCall = reentryCall_;
    }

    function setRefusePayments(bool refuse) external {
        refusePayments = refuse;
    }

    receive() external payable {
        if (refusePayments) revert PaymentRefused();
        if (target == address(0) || reentryAttempts > 0) return;
        reentryAttempts += 1;
        (bool ok, bytes memory ret) = target.call(reentryCall);
        reentrySucceeded = ok;
        reentryRevert = ret;
    }
}
