// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

interface IClaimable {
    function claim() external;
    function withdraw() external;
    function cancel(bytes32 jobId) external;
}

/// @notice Test-only account that tries to re-enter the contract paying it, once per payment.
contract ReentrantReceiver {
    address public target;
    bytes public reentryCall;
    uint256 public reentryAttempts;
    bool public reentrySucceeded;

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

    receive() external payable {
        if (target == address(0) || reentryAttempts > 0) return;
        reentryAttempts += 1;
        (bool ok,) = target.call(reentryCall);
        reentrySucceeded = ok;
    }
}
