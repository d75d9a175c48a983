// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PullPayments} from "./PullPayments.sol";
import {Staking} from "./Staking.sol";

/// @title Gavel proving market (escrow)
/// @notice A requester opens a job with its reserve price escrowed. A coordinator assigns it to the
/// auction's winner at the clearing price (locking the winner's collateral), settles it after
/// verifying the proofs, or reopens it after a failure. Anyone may slash an assigned job whose
/// deadline passed unfulfilled, and expire an open job past its deadline. The requester may cancel
/// before assignment. Payments and refunds are credited and claimed (pull), except a cancellation,
/// which refunds the requester in the same call.
/// Invariant: address(this).balance == totalEscrow + totalClaimable.
contract Market is PullPayments {
    enum Status {
        None,
        Open,
        Assigned,
        Settled,
        Cancelled,
        Expired
    }

    struct Job {
        address requester;
        Status status;
        uint64 deadline;
        address prover;
        uint256 reserve; // escrowed maximum price
        uint256 price; // clearing price, set at assignment
        uint256 collateral; // stake the winner must lock
        bytes32 vkHash;
        bytes32 inputsHash;
        bytes32 resultHash;
    }

    error NotOwner();
    error NotCoordinator(address caller);
    error NotRequester(bytes32 jobId, address caller);
    error ZeroAddress();
    error JobExists(bytes32 jobId);
    error UnknownJob(bytes32 jobId);
    error WrongStatus(bytes32 jobId, Status status);
    error ZeroReserve();
    error DeadlineInPast(uint64 deadline);
    error DeadlinePassed(bytes32 jobId, uint64 deadline);
    error DeadlineNotPassed(bytes32 jobId, uint64 deadline);
    error PriceAboveReserve(uint256 price, uint256 reserve);
    error WrongProver(bytes32 jobId, address assigned);

    event CoordinatorSet(address indexed coordinator, bool enabled);
    event JobOpened(
        bytes32 indexed jobId,
        address indexed requester,
        uint256 reserve,
        uint64 deadline,
        uint256 collateral,
        bytes32 vkHash,
        bytes32 inputsHash
    );
    event JobAssigned(bytes32 indexed jobId, address indexed prover, uint256 price, uint256 collateral);
    event JobSettled(bytes32 indexed jobId, address indexed prover, uint256 price, uint256 refund, bytes32 resultHash);
    event JobReopened(bytes32 indexed jobId, address indexed failedProver, uint256 slashed);
    event JobSlashed(bytes32 indexed jobId, address indexed prover, address indexed caller, uint256 slashed);
    event JobCancelled(bytes32 indexed jobId, uint256 refund);
    event JobExpired(bytes32 indexed jobId, uint256 refund);

    address public immutable owner;
    Staking public immutable staking;
    mapping(address => bool) public isCoordinator;
    mapping(bytes32 => Job) private _jobs;
    uint256 public totalEscrow;

    constructor(Staking staking_) {
        if (address(staking_) == address(0)) revert ZeroAddress();
        owner = msg.sender;
        staking = staking_;
    }

    modifier onlyCoordinator() {
        if (!isCoordinator[msg.sender]) revert NotCoordinator(msg.sender);
        _;
    }

    /// @notice Grants or revokes the coordinator role (several coordinators may hold it).
    function setCoordinator(address coordinator, bool enabled) external {
        if (msg.sender != owner) revert NotOwner();
        if (coordinator == address(0)) revert ZeroAddress();
        isCoordinator[coordinator] = enabled;
        emit CoordinatorSet(coordinator, enabled);
    }

    /// @notice Opens a job escrowing msg.value as its reserve (maximum) price.
    function openJob(bytes32 jobId, bytes32 vkHash, bytes32 inputsHash, uint64 deadline, uint256 collateral)
        external
        payable
    {
        if (_jobs[jobId].status != Status.None) revert JobExists(jobId);
        if (msg.value == 0) revert ZeroReserve();
        if (deadline <= block.timestamp) revert DeadlineInPast(deadline);
        _jobs[jobId] = Job({
            requester: msg.sender,
            status: Status.Open,
            deadline: deadline,
            prover: address(0),
            reserve: msg.value,
            price: 0,
            collateral: collateral,
            vkHash: vkHash,
            inputsHash: inputsHash,
            resultHash: bytes32(0)
        });
        totalEscrow += msg.value;
        emit JobOpened(jobId, msg.sender, msg.value, deadline, collateral, vkHash, inputsHash);
    }

    /// @notice Assigns an open job to the auction's winner at the clearing price.
    function assign(bytes32 jobId, address prover, uint256 price) external onlyCoordinator {
        Job storage job = _status(jobId, Status.Open);
        if (block.timestamp >= job.deadline) revert DeadlinePassed(jobId, job.deadline);
        if (price > job.reserve) revert PriceAboveReserve(price, job.reserve);
        job.status = Status.Assigned;
        job.prover = prover;
        job.price = price;
        emit JobAssigned(jobId, prover, price, job.collateral);
        staking.lock(prover, jobId, job.collateral);
    }

    /// @notice Pays the prover the clearing price and refunds the rest, after verification.
    function settle(bytes32 jobId, bytes32 resultHash) external onlyCoordinator {
        Job storage job = _status(jobId, Status.Assigned);
        if (block.timestamp > job.deadline) revert DeadlinePassed(jobId, job.deadline);
        job.status = Status.Settled;
        job.resultHash = resultHash;
        uint256 refund = job.reserve - job.price;
        totalEscrow -= job.reserve;
        _credit(job.prover, job.price);
        _credit(job.requester, refund);
        emit JobSettled(jobId, job.prover, job.price, refund, resultHash);
        staking.release(job.prover, jobId);
    }

    /// @notice Returns an assigned job to auction after its prover failed; with `slashProver`
    /// the failed prover's collateral is slashed, otherwise it is released.
    function reopen(bytes32 jobId, bool slashProver) external onlyCoordinator {
        Job storage job = _status(jobId, Status.Assigned);
        address failed = job.prover;
        job.status = Status.Open;
        job.prover = address(0);
        job.price = 0;
        uint256 slashed = 0;
        if (slashProver) slashed = staking.slash(failed, jobId, job.requester);
        else staking.release(failed, jobId);
        emit JobReopened(jobId, failed, slashed);
    }

    /// @notice Anyone may slash the assigned prover of a job whose deadline passed unfulfilled;
    /// the job expires and its escrow is refunded to the requester.
    function slash(bytes32 jobId, address prover) external {
        Job storage job = _status(jobId, Status.Assigned);
        if (job.prover != prover) revert WrongProver(jobId, job.prover);
        if (block.timestamp <= job.deadline) revert DeadlineNotPassed(jobId, job.deadline);
        job.status = Status.Expired;
        totalEscrow -= job.reserve;
        _credit(job.requester, job.reserve);
        uint256 slashed = staking.slash(prover, jobId, job.requester);
        emit JobSlashed(jobId, prover, msg.sender, slashed);
        emit JobExpired(jobId, job.reserve);
    }

    /// @notice Anyone may expire an open job past its deadline; the requester is refunded.
    function expire(bytes32 jobId) external {
        Job storage job = _status(jobId, Status.Open);
        if (block.timestamp <= job.deadline) revert DeadlineNotPassed(jobId, job.deadline);
        job.status = Status.Expired;
        totalEscrow -= job.reserve;
        _credit(job.requester, job.reserve);
        emit JobExpired(jobId, job.reserve);
    }

    /// @notice The requester cancels an open (unassigned) job and gets the escrow back now.
    function cancel(bytes32 jobId) external nonReentrant {
        Job storage job = _status(jobId, Status.Open);
        if (msg.sender != job.requester) revert NotRequester(jobId, msg.sender);
        job.status = Status.Cancelled;
        uint256 refund = job.reserve;
        totalEscrow -= refund;
        emit JobCancelled(jobId, refund);
        _send(msg.sender, refund);
    }

    function getJob(bytes32 jobId) external view returns (Job memory) {
        return _jobs[jobId];
    }

    function _status(bytes32 jobId, Status expected) private view returns (Job storage job) {
        job = _jobs[jobId];
        if (job.status == Status.None) revert UnknownJob(jobId);
        if (job.status != expected) revert WrongStatus(jobId, job.status);
    }

}
