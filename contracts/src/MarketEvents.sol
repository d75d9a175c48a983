// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Status, Terms} from "./MarketTypes.sol";

/// @title The Market's errors (each revert names what was wrong) and events
abstract contract MarketEvents {
    error NotOwner();
    error NotCoordinator(address caller);
    error BondsAlreadySet();
    error BondBelowMinimum(address coordinator, uint256 bond, uint256 minimum);
    error NotRequester(bytes32 jobId, address caller);
    error ZeroAddress();
    error JobExists(bytes32 jobId);
    error UnknownJob(bytes32 jobId);
    error WrongStatus(bytes32 jobId, Status status);
    error ZeroReserve();
    error NoItems();
    error UnregisteredVerifier(bytes32 vkHash, address verifier);
    error DeadlineInPast(uint64 deadline);
    error DeadlinePassed(bytes32 jobId, uint64 deadline);
    error DeadlineNotPassed(bytes32 jobId, uint64 deadline);
    error AttemptDeadlinePassed(bytes32 jobId, uint64 attemptDeadline);
    error AttemptDeadlineNotPassed(bytes32 jobId, uint64 attemptDeadline);
    error BidForOtherJob(bytes32 jobId, uint32 attempt);
    error AttemptTooFar(uint32 attempt, uint32 current);
    error BidSignerMismatch(address prover, address signer);
    error BidExpired(address prover, uint64 expiry);
    error ZeroDeliveryTime(address prover);
    error DeliveryPastDeadline(address prover, uint256 due, uint64 deadline);
    error RunnerUpIsWinner(address prover);
    error WinnerAboveRunnerUp(uint256 winnerPrice, uint256 runnerUpPrice);
    error PriceAboveReserve(uint256 price, uint256 reserve);
    error ItemOutOfRange(uint32 index, uint32 items);
    error ItemAlreadyVerified(uint32 index);
    error PublicInputsNotCommitted(uint32 index);
    error InvalidProof(bytes32 jobId, uint32 index);
    error NotAssignedProver(address signer, address prover);
    error WrongAttempt(uint32 attempt, uint32 current);
    error EvidenceMismatch();
    error ProofIsValid(bytes32 jobId, uint32 index);
    error NotEnoughGasToVerify(uint256 gasLeft, uint256 needed);
    error NoTranscript(bytes32 jobId);

    event CoordinatorSet(address indexed coordinator, bool enabled);
    event JobOpened(bytes32 indexed jobId, address indexed requester, uint256 reserve, Terms terms);
    event JobAssigned(
        bytes32 indexed jobId, address indexed prover, uint32 attempt, uint256 price, uint64 attemptDeadline
    );
    event TranscriptCommitted(
        bytes32 indexed jobId, uint32 attempt, bytes32 root, address indexed coordinator, address winner, uint256 price
    );
    event ItemsVerified(bytes32 indexed jobId, uint32 attempt, uint32 count, uint32 verified);
    event JobSettled(bytes32 indexed jobId, address indexed prover, uint256 price, uint256 refund);
    event JobHandedBack(bytes32 indexed jobId, address indexed prover, uint32 attempt);
    event JobSlashed(bytes32 indexed jobId, address indexed prover, address indexed slasher, uint256 slashed);
    event JobReopened(bytes32 indexed jobId, uint32 attempt);
    event JobCancelled(bytes32 indexed jobId, uint256 refund);
    event JobExpired(bytes32 indexed jobId, uint256 refund);
}
