// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IVerifier} from "./IVerifier.sol";

/// @notice The bonds a coordinator key has posted (AuctionAudit).
interface IBonds {
    function bondOf(address coordinator) external view returns (uint256);
}
import {IMarket} from "./IMarket.sol";
import {Bid, ItemProof, Job, Result, Rule, Status, Terms} from "./MarketTypes.sol";
import {PullPayments} from "./PullPayments.sol";
import {SignedTerms} from "./SignedTerms.sol";
import {Staking} from "./Staking.sol";
import {VerifierRegistry} from "./VerifierRegistry.sol";

/// @title Gavel proving market (escrow)
/// @notice A requester opens a job with its reserve escrowed and commits to what a valid result is:
/// the circuit's verifier and the public inputs of each batch item (a Merkle root). A coordinator
/// assigns it, but only with the winner's signed bid (and the runner-up's, which sets the second
/// price). Payment needs the proofs: `fulfil` verifies every item on-chain, and anyone holding the
/// proofs may call it. A prover is slashed only on evidence the chain checks: its own signed
/// delivery time passed unfulfilled, or its signed result is invalid. Payments are pulled.
/// Invariant: address(this).balance == totalEscrow + totalClaimable.
contract Market is PullPayments, SignedTerms, IMarket, Ownable2Step {
    /// @notice Gas a verifier call is guaranteed when a slash depends on its verdict, so a caller
    /// cannot starve the call to make a valid proof look invalid (an UltraHonk verify of a 2^12
    /// circuit takes about 3.5 M).
    uint256 public constant VERIFY_GAS = 6_000_000;
    /// @notice Gas spent between the last check of gasleft() and the verifier call it guards (a
    /// few stack operations and a warm STATICCALL), counted in that check.
    uint256 private constant CALL_OVERHEAD = 1_000;
    /// @notice How far past the job's current attempt an assignment may go. Attempts the chain
    /// refused are skipped, never reused; the bound (and the last attempt number being out of
    /// reach) keeps every exit from Assigned, which moves to the next attempt, from overflowing.
    uint32 public constant MAX_ATTEMPT_JUMP = 16;

    Staking public immutable staking;
    /// @notice Where coordinator bonds are kept (AuctionAudit), and the bond a coordinator key must
    /// have there to assign: its auctions answer for something. Set once by the owner.
    IBonds public bonds;
    uint256 public minBond;
    VerifierRegistry public immutable registry;
    mapping(address => bool) public isCoordinator;
    /// @notice Keys that ever held the coordinator role: their receipts stay evidence after the
    /// role is revoked, so revoking a key cannot void what it signed.
    mapping(address => bool) public wasCoordinator;
    mapping(bytes32 => Job) private _jobs;
    /// jobId => attempt => word => bits of the items verified on-chain
    mapping(bytes32 => mapping(uint32 => mapping(uint256 => uint256))) private _verifiedBits;
    uint256 public totalEscrow;
    /// jobId => attempt => keccak256(abi.encode(transcript root, coordinator, winner, price)),
    /// what AuctionAudit checks evidence against
    mapping(bytes32 => mapping(uint32 => bytes32)) public transcriptHashOf;
    /// jobId => attempt => when it was assigned: AuctionAudit takes evidence against it for a window
    mapping(bytes32 => mapping(uint32 => uint64)) public assignedAt;
    /// coordinator => when it last assigned an attempt: its bond stays until that evidence is in
    mapping(address => uint64) public lastAssignedAt;
    /// keccak256(abi.encode(verifier, publicInputsHash)) => the verifier accepted a proof of these
    /// public inputs in a fulfilment (see isVerified)
    mapping(bytes32 => bool) private _facts;

    /// @param staking_ where provers' stake and collateral are kept
    /// @param registry_ the verifier registry a job's verifier must be registered in
    constructor(Staking staking_, VerifierRegistry registry_) Ownable(msg.sender) {
        if (address(staking_) == address(0) || address(registry_) == address(0)) revert ZeroAddress();
        staking = staking_;
        registry = registry_;
    }

    /// @notice Connects the bonds contract and the minimum bond to assign, once.
    function setBonds(IBonds bonds_, uint256 minBond_) external onlyOwner {
        if (address(bonds) != address(0)) revert BondsAlreadySet();
        if (address(bonds_) == address(0)) revert ZeroAddress();
        (bonds, minBond) = (bonds_, minBond_);
    }

    /// @notice Grants or revokes the coordinator role (several coordinators may hold it).
    function setCoordinator(address coordinator, bool enabled) external onlyOwner {
        if (coordinator == address(0)) revert ZeroAddress();
        isCoordinator[coordinator] = enabled;
        if (enabled) wasCoordinator[coordinator] = true;
        emit CoordinatorSet(coordinator, enabled);
    }

    /// @notice Opens a job escrowing msg.value as its reserve (maximum) price.
    function openJob(bytes32 jobId, Terms calldata t) external payable {
        if (_jobs[jobId].status != Status.None) revert JobExists(jobId);
        if (msg.value == 0) revert ZeroReserve();
        if (t.items == 0) revert NoItems();
        if (t.deadline <= block.timestamp) revert DeadlineInPast(t.deadline);
        if (!registry.isVerifierFor(t.vkHash, t.verifier)) revert UnregisteredVerifier(t.vkHash, t.verifier);
        Job storage job = _jobs[jobId];
        (job.requester, job.status, job.rule, job.items, job.deadline) =
            (msg.sender, Status.Open, t.rule, t.items, t.deadline);
        (job.verifier, job.reserve, job.collateral) = (t.verifier, msg.value, t.collateral);
        (job.vkHash, job.inputsHash, job.publicInputsRoot) = (t.vkHash, t.inputsHash, t.publicInputsRoot);
        totalEscrow += msg.value;
        emit JobOpened(jobId, msg.sender, msg.value, t);
    }

    /// @notice Assigns an open job to the signer of `winner` at the price the job's rule gives;
    /// `runnerUpSig` is empty when there was no runner-up. Both bids are for the attempt assigned,
    /// which is the job's current attempt or one at most MAX_ATTEMPT_JUMP later. `transcriptRoot` commits every bid the
    /// coordinator accepted for the attempt (see AuctionAudit), the evidence it answers to.
    function assign(
        bytes32 jobId,
        Bid calldata winner,
        bytes calldata winnerSig,
        Bid calldata runnerUp,
        bytes calldata runnerUpSig,
        bytes32 transcriptRoot
    ) external {
        if (!isCoordinator[msg.sender]) revert NotCoordinator(msg.sender);
        if (address(bonds) != address(0)) {
            uint256 bond = bonds.bondOf(msg.sender);
            if (bond < minBond) revert BondBelowMinimum(msg.sender, bond, minBond);
        }
        if (transcriptRoot == bytes32(0)) revert NoTranscript(jobId);
        Job storage job = _status(jobId, Status.Open);
        if (block.timestamp >= job.deadline) revert DeadlinePassed(jobId, job.deadline);
        // An attempt number may be skipped (an assignment the chain refused), never reused.
        if (winner.attempt < job.attempt) revert BidForOtherJob(winner.jobId, winner.attempt);
        if (uint256(winner.attempt) > uint256(job.attempt) + MAX_ATTEMPT_JUMP || winner.attempt == type(uint32).max) {
            revert AttemptTooFar(winner.attempt, job.attempt);
        }
        _checkBid(jobId, winner.attempt, winner, winnerSig);
        if (winner.deliverySeconds == 0) revert ZeroDeliveryTime(winner.prover);
        uint256 price = job.rule == Rule.FirstPrice ? winner.price : job.reserve;
        if (runnerUpSig.length > 0 && job.rule == Rule.SecondPrice) {
            _checkBid(jobId, winner.attempt, runnerUp, runnerUpSig);
            if (runnerUp.prover == winner.prover) revert RunnerUpIsWinner(winner.prover);
            if (winner.price > runnerUp.price) revert WinnerAboveRunnerUp(winner.price, runnerUp.price);
            price = runnerUp.price;
        }
        if (price > job.reserve) revert PriceAboveReserve(price, job.reserve);
        // The winner's own delivery time must fit before the job's deadline: it is never cut short.
        uint256 due = block.timestamp + winner.deliverySeconds;
        if (due > job.deadline) revert DeliveryPastDeadline(winner.prover, due, job.deadline);
        job.attemptDeadline = uint64(due);
        (job.status, job.prover, job.price, job.attempt) = (Status.Assigned, winner.prover, price, winner.attempt);
        emit JobAssigned(jobId, winner.prover, job.attempt, price, job.attemptDeadline);
        transcriptHashOf[jobId][job.attempt] = keccak256(abi.encode(transcriptRoot, msg.sender, winner.prover, price));
        (assignedAt[jobId][job.attempt], lastAssignedAt[msg.sender]) = (uint64(block.timestamp), uint64(block.timestamp));
        emit TranscriptCommitted(jobId, job.attempt, transcriptRoot, msg.sender, winner.prover, price);
        staking.lock(winner.prover, jobId, job.collateral);
    }

    /// @notice Verifies batch items on-chain against the job's verifier and committed public
    /// inputs; once every item is verified the prover is paid. Anyone may call it, up to and
    /// including the attempt deadline. Items verified already are skipped (not refused), so a
    /// relay and the prover's own fulfilment racing each other both go through.
    function fulfil(bytes32 jobId, ItemProof[] calldata proofs) external {
        Job storage job = _status(jobId, Status.Assigned);
        if (block.timestamp > job.attemptDeadline) revert AttemptDeadlinePassed(jobId, job.attemptDeadline);
        uint32[] memory fresh = new uint32[](proofs.length);
        uint256 count = 0;
        address verifier = job.verifier;
        for (uint256 i = 0; i < proofs.length; i++) {
            ItemProof calldata p = proofs[i];
            if (p.index >= job.items) revert ItemOutOfRange(p.index, job.items);
            // An item verified already (by a fulfilment that landed first, or earlier in this
            // call) is skipped, not refused: two honest fulfilments racing both go through.
            if (_isVerified(jobId, job.attempt, p.index) || _holds(fresh, count, p.index)) continue;
            bytes32 publicInputsHash = keccak256(abi.encodePacked(p.publicInputs));
            if (!_committed(job, p.index, publicInputsHash, p.merkleProof)) revert PublicInputsNotCommitted(p.index);
            // A failing call only reverts this fulfilment, so it needs no gas guard.
            try IVerifier(verifier).verify(p.proof, p.publicInputs) returns (bool ok) {
                if (!ok) revert InvalidProof(jobId, p.index);
            } catch {
                revert InvalidProof(jobId, p.index);
            }
            _facts[keccak256(abi.encode(verifier, publicInputsHash))] = true;
            fresh[count++] = p.index;
        }
        if (count == 0) return;
        job.verified += uint32(count);
        emit ItemsVerified(jobId, job.attempt, uint32(count), job.verified);
        // The call that completes the job writes no per-item bits: once Settled every item counts
        // as verified (isItemVerified).
        if (job.verified == job.items) return _settle(jobId, job);
        mapping(uint256 => uint256) storage bits = _verifiedBits[jobId][job.attempt];
        for (uint256 i = 0; i < count; i++) bits[fresh[i] / 256] |= 1 << (fresh[i] % 256);
    }

    /// @notice Anyone may slash the assigned prover once its attempt deadline passed unfulfilled.
    function slashLate(bytes32 jobId) external {
        Job storage job = _status(jobId, Status.Assigned);
        if (block.timestamp <= job.attemptDeadline) {
            revert AttemptDeadlineNotPassed(jobId, job.attemptDeadline);
        }
        _slashAndReopen(jobId, job);
    }

    /// @notice Anyone may slash the assigned prover at once with a result it signed that is
    /// invalid: public inputs other than the committed ones (`committedHash`, shown with its Merkle
    /// proof), or a proof the job's verifier rejects.
    function slashInvalid(
        Result calldata r,
        bytes calldata signature,
        bytes calldata proof,
        bytes32[] calldata publicInputs,
        bytes32 committedHash,
        bytes32[] calldata merkleProof
    ) external {
        Job storage job = _status(r.jobId, Status.Assigned);
        if (r.attempt != job.attempt) revert WrongAttempt(r.attempt, job.attempt);
        address signer = _resultSigner(r, signature);
        if (signer != job.prover) revert NotAssignedProver(signer, job.prover);
        if (keccak256(proof) != r.proofHash || keccak256(abi.encodePacked(publicInputs)) != r.publicInputsHash) {
            revert EvidenceMismatch();
        }
        if (!_committed(job, r.item, committedHash, merkleProof)) revert PublicInputsNotCommitted(r.item);
        if (committedHash == r.publicInputsHash && _verifies(job.verifier, proof, publicInputs)) {
            revert ProofIsValid(r.jobId, r.item);
        }
        _slashAndReopen(r.jobId, job);
    }

    /// @notice The assigned prover hands its attempt back (its signature, relayed by anyone) up to
    /// and including its attempt deadline: its collateral is released and the job goes back to
    /// auction. After the deadline it is too late: the attempt can only be slashed.
    function handBack(bytes32 jobId, uint32 attempt, bytes calldata proverSig) external {
        Job storage job = _status(jobId, Status.Assigned);
        if (attempt != job.attempt) revert WrongAttempt(attempt, job.attempt);
        if (block.timestamp > job.attemptDeadline) revert AttemptDeadlinePassed(jobId, job.attemptDeadline);
        address signer = _handBackSigner(jobId, attempt, proverSig);
        if (signer != job.prover) revert NotAssignedProver(signer, job.prover);
        emit JobHandedBack(jobId, signer, attempt);
        staking.release(signer, jobId);
        _reopen(jobId, job);
    }

    /// @notice Anyone may expire an open job past its deadline; the requester is refunded.
    function expire(bytes32 jobId) external {
        Job storage job = _status(jobId, Status.Open);
        if (block.timestamp <= job.deadline) revert DeadlineNotPassed(jobId, job.deadline);
        _expire(jobId, job);
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

    /// @notice Whether `verifier` accepted, in a call the Market made to settle a job, a proof whose
    /// public inputs hash to `publicInputsHash` (keccak256 of the packed 32-byte public inputs): a
    /// fact another contract can rely on instead of verifying the proof again. It is keyed by the
    /// verifier, not the verification key, because registering a verifier for a key is only a
    /// claim: a consumer names the verifier it has checked (rebuilt from the key) and trusts.
    function isVerified(address verifier, bytes32 publicInputsHash) external view returns (bool) {
        return _facts[keccak256(abi.encode(verifier, publicInputsHash))];
    }

    function getJob(bytes32 jobId) external view returns (Job memory) {
        return _jobs[jobId];
    }

    /// @notice Whether item `index` of the job's current attempt was verified on-chain (every
    /// item of a settled job was).
    function isItemVerified(bytes32 jobId, uint32 index) external view returns (bool) {
        Job storage job = _jobs[jobId];
        if (job.status == Status.Settled) return index < job.items;
        return _isVerified(jobId, job.attempt, index);
    }

    function _checkBid(bytes32 jobId, uint32 attempt, Bid calldata bid, bytes calldata sig) private view {
        if (bid.jobId != jobId || bid.attempt != attempt) revert BidForOtherJob(bid.jobId, bid.attempt);
        if (bid.expiry < block.timestamp) revert BidExpired(bid.prover, bid.expiry);
        address signer = _bidSigner(bid, sig);
        if (signer != bid.prover) revert BidSignerMismatch(bid.prover, signer);
    }

    function _isVerified(bytes32 jobId, uint32 attempt, uint32 index) private view returns (bool) {
        return _verifiedBits[jobId][attempt][index / 256] & (1 << (index % 256)) != 0;
    }

    /// @dev Whether `index` is among the first `count` entries of `list`.
    function _holds(uint32[] memory list, uint256 count, uint32 index) private pure returns (bool) {
        for (uint256 i = 0; i < count; i++) if (list[i] == index) return true;
        return false;
    }

    /// @dev The leaf of item `index` in the committed tree (OpenZeppelin StandardMerkleTree
    /// layout over (uint256 index, bytes32 publicInputsHash)).
    function _committed(Job storage job, uint32 index, bytes32 publicInputsHash, bytes32[] calldata merkleProof)
        private
        view
        returns (bool)
    {
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(uint256(index), publicInputsHash))));
        return MerkleProof.verifyCalldata(merkleProof, job.publicInputsRoot, leaf);
    }

    /// @dev The verifier's verdict, given exactly VERIFY_GAS whatever gas the caller sent: a call
    /// forwards at most 63/64 of the gas left at that point, so the check comes after everything
    /// that costs gas before the call (the proof encoded into memory, the verifier's address
    /// touched), with only CALL_OVERHEAD between it and the call. A caller cannot starve the
    /// verifier into a false "invalid"; a revert (out of gas included) is "invalid".
    function _verifies(address verifier, bytes calldata proof, bytes32[] calldata publicInputs)
        private
        view
        returns (bool)
    {
        bytes memory call = abi.encodeCall(IVerifier.verify, (proof, publicInputs));
        if (verifier.code.length == 0) revert NoVerifierCode(verifier);
        if (gasleft() < VERIFY_GAS + VERIFY_GAS / 63 + CALL_OVERHEAD) revert NotEnoughGasToVerify(gasleft(), VERIFY_GAS);
        (bool ok, bytes memory verdict) = verifier.staticcall{gas: VERIFY_GAS}(call);
        return ok && verdict.length == 32 && abi.decode(verdict, (bool));
    }

    function _settle(bytes32 jobId, Job storage job) private {
        job.status = Status.Settled;
        uint256 refund = job.reserve - job.price;
        totalEscrow -= job.reserve;
        _credit(job.prover, job.price);
        _credit(job.requester, refund);
        emit JobSettled(jobId, job.prover, job.price, refund);
        staking.release(job.prover, jobId);
    }

    function _slashAndReopen(bytes32 jobId, Job storage job) private {
        address prover = job.prover;
        uint256 slashed = staking.slash(prover, jobId, job.requester, msg.sender);
        emit JobSlashed(jobId, prover, msg.sender, slashed);
        _reopen(jobId, job);
    }

    /// @dev Back to auction under the next attempt, or expired when no time is left.
    function _reopen(bytes32 jobId, Job storage job) private {
        (job.prover, job.price, job.attemptDeadline, job.verified) = (address(0), 0, 0, 0);
        job.attempt += 1;
        if (block.timestamp >= job.deadline) return _expire(jobId, job);
        job.status = Status.Open;
        emit JobReopened(jobId, job.attempt);
    }

    function _expire(bytes32 jobId, Job storage job) private {
        job.status = Status.Expired;
        totalEscrow -= job.reserve;
        _credit(job.requester, job.reserve);
        emit JobExpired(jobId, job.reserve);
    }

    function _status(bytes32 jobId, Status expected) private view returns (Job storage job) {
        job = _jobs[jobId];
        if (job.status == Status.None) revert UnknownJob(jobId);
        if (job.status != expected) revert WrongStatus(jobId, job.status);
    }
}
