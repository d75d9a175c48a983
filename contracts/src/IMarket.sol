// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Status, Terms} from "./MarketTypes.sol";

/// @title The Market's interface to the outside: its errors (each revert names what was wrong) and events
abstract contract IMarket {
    /// @notice The caller does not hold the coordinator role.
    error NotCoordinator(address caller);
    /// @notice The bonds contract was connected already (it is set once).
    error BondsAlreadySet();
    /// @notice The coordinator key has less than the minimum bond posted in AuctionAudit.
    error BondBelowMinimum(address coordinator, uint256 bond, uint256 minimum);
    /// @notice Only the job's requester may do this.
    error NotRequester(bytes32 jobId, address caller);
    /// @notice An address argument was the zero address.
    error ZeroAddress();
    /// @notice A job with this id was opened already.
    error JobExists(bytes32 jobId);
    /// @notice No job has this id.
    error UnknownJob(bytes32 jobId);
    /// @notice The job's status does not allow this.
    error WrongStatus(bytes32 jobId, Status status);
    /// @notice A job must escrow a reserve above zero.
    error ZeroReserve();
    /// @notice A job must have at least one batch item.
    error NoItems();
    /// @notice The verifier is not the one registered for this verification key.
    error UnregisteredVerifier(bytes32 vkHash, address verifier);
    /// @notice The job's deadline is already past.
    error DeadlineInPast(uint64 deadline);
    /// @notice The job's deadline has passed: only expire is possible.
    error DeadlinePassed(bytes32 jobId, uint64 deadline);
    /// @notice The job's deadline has not passed yet (block time).
    error DeadlineNotPassed(bytes32 jobId, uint64 deadline);
    /// @notice The attempt's deadline has passed: the prover can no longer fulfil or hand back.
    error AttemptDeadlinePassed(bytes32 jobId, uint64 attemptDeadline);
    /// @notice The attempt's deadline has not passed yet (block time): the prover cannot be slashed as late.
    error AttemptDeadlineNotPassed(bytes32 jobId, uint64 attemptDeadline);
    /// @notice The signed bid is for another job or attempt.
    error BidForOtherJob(bytes32 jobId, uint32 attempt);
    /// @notice The assignment skips more than MAX_ATTEMPT_JUMP attempts past the current one.
    error AttemptTooFar(uint32 attempt, uint32 current);
    /// @notice The bid's signature does not recover to the bidding prover.
    error BidSignerMismatch(address prover, address signer);
    /// @notice The bid's expiry (block time) has passed.
    error BidExpired(address prover, uint64 expiry);
    /// @notice A bid must promise a delivery time above zero.
    error ZeroDeliveryTime(address prover);
    /// @notice The bid's delivery time from now would end after the job's deadline.
    error DeliveryPastDeadline(address prover, uint256 due, uint64 deadline);
    /// @notice The runner-up bid is the winner's own.
    error RunnerUpIsWinner(address prover);
    /// @notice The winning bid is above the runner-up: not the lowest.
    error WinnerAboveRunnerUp(uint256 winnerPrice, uint256 runnerUpPrice);
    /// @notice The price is above the job's reserve.
    error PriceAboveReserve(uint256 price, uint256 reserve);
    /// @notice The batch item index is out of range.
    error ItemOutOfRange(uint32 index, uint32 items);
    /// @notice The item's public inputs are not the ones the requester committed to.
    error PublicInputsNotCommitted(uint32 index);
    /// @notice The verifier rejected the item's proof.
    error InvalidProof(bytes32 jobId, uint32 index);
    /// @notice The result was not signed by the assigned prover.
    error NotAssignedProver(address signer, address prover);
    /// @notice The attempt named is not the job's current attempt.
    error WrongAttempt(uint32 attempt, uint32 current);
    /// @notice The evidence does not match what was signed or committed.
    error EvidenceMismatch();
    /// @notice The proof presented as invalid is valid: no slash.
    error ProofIsValid(bytes32 jobId, uint32 index);
    /// @notice The job's verifier has no code (it cannot give a verdict).
    error NoVerifierCode(address verifier);
    /// @notice Too little gas left to give the verifier its guaranteed budget.
    error NotEnoughGasToVerify(uint256 gasLeft, uint256 needed);
    /// @notice No auction transcript was committed for this attempt.
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
