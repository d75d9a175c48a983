// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Market} from "./Market.sol";
import {Bid} from "./MarketTypes.sol";
import {PullPayments} from "./PullPayments.sol";

/// @title Auction audit: coordinator bonds, taken on evidence the chain checks
/// @notice At assignment a coordinator commits the Merkle root of the attempt's transcript: every
/// bid it accepted (EIP-712 digest, prover, price) with its standing (0: it could win; otherwise
/// why not). For each accepted bid the coordinator signed the bidder a receipt. Two kinds of
/// evidence take a coordinator's bond, and either way the chain records the offence:
/// - a better bid: a leaf of the committed transcript, standing 0, from a prover other than the
///   winner, priced below what the job was assigned at. The auction did not follow its rule.
/// - a receipt for a bid, challenged: anyone may answer with the bid's leaf in the transcript;
///   unanswered by the deadline, the bid was hidden.
/// A share of the bond (`slashShareBps`) goes to whoever brought the evidence, which is taken only
/// within an attempt's evidence window; a challenge carries a deposit that pays whoever answers
/// it. Nobody can be slashed on a transcript the coordinator did not commit or a receipt it did
/// not sign. Invariant: balance == totalBonds + totalDeposits + totalClaimable.
contract AuctionAudit is PullPayments, EIP712 {
    bytes32 public constant RECEIPT_TYPEHASH = keccak256("BidReceipt(bytes32 jobId,uint32 attempt,bytes32 bidDigest)");
    uint8 public constant HIDDEN_BID = 1;
    uint8 public constant MISAWARDED = 2;

    /// @notice What the Market recorded at assignment (its hash is stored there).
    struct Committed {
        bytes32 root;
        address coordinator;
        address winner;
        uint256 price;
    }

    /// @notice One answer of `answerMany`: the challenged bid's leaf in its attempt's transcript.
    struct Answer {
        bytes32 bidDigest;
        Committed c;
        uint8 standing;
        bytes32[] proof;
    }

    /// @notice A transcript leaf: an accepted bid and its standing.
    struct Entry {
        bytes32 bidDigest;
        address prover;
        uint256 price;
        uint8 standing;
    }

    struct Challenge {
        bytes32 jobId;
        uint32 attempt;
        uint64 answerBy;
        bool open;
        address coordinator;
        address challenger;
        address prover;
        uint256 price;
    }

    error ZeroAddress();
    error ZeroAmount();
    error NotCoordinatorReceipt(address signer);
    error BidSignerMismatch(address prover, address signer);
    error NoTranscript(bytes32 jobId, uint32 attempt);
    error CommittedMismatch(bytes32 jobId, uint32 attempt);
    error ChallengeExists(bytes32 bidDigest);
    error NoOpenChallenge(bytes32 bidDigest);
    error AnswerWindowOpen(bytes32 bidDigest, uint64 answerBy);
    error NotInTranscript(bytes32 bidDigest);
    error NotABetterBid(uint256 price, uint256 charged);
    error WinnerEntry(address winner);
    error NotEligible(uint8 standing);
    error AlreadyProven(bytes32 jobId, uint32 attempt);
    error WithdrawalNotReady(uint64 readyAt);
    error ChallengesOpen(address coordinator, uint32 open);
    error WrongDeposit(uint256 sent, uint256 required);
    error EvidenceWindowClosed(bytes32 jobId, uint32 attempt, uint64 closedAt);
    error BondFrozen(address coordinator, uint64 until);
    error InvalidShare(uint16 bps);

    event BondPosted(address indexed coordinator, address indexed from, uint256 amount, uint256 bond);
    event BondWithdrawalRequested(address indexed coordinator, uint256 amount, uint64 readyAt);
    event BondWithdrawn(address indexed coordinator, uint256 amount);
    event Challenged(
        bytes32 indexed bidDigest,
        bytes32 indexed jobId,
        uint32 attempt,
        address indexed coordinator,
        address challenger,
        uint64 answerBy
    );
    event ChallengeAnswered(bytes32 indexed bidDigest, address answerer);
    /// @notice An entry of `answerMany` was left out: its challenge was closed, or it did not check out.
    event AnswerSkipped(bytes32 indexed bidDigest);
    event CoordinatorSlashed(
        address indexed coordinator,
        bytes32 indexed jobId,
        uint32 attempt,
        uint8 offence,
        bytes32 bidDigest,
        uint256 slashed,
        address to
    );

    Market public immutable market;
    /// @notice Seconds a challenged receipt has to be answered.
    uint64 public immutable answerWindow;
    /// @notice Seconds between asking to withdraw bond and withdrawing it.
    uint64 public immutable withdrawDelay;
    /// @notice Seconds after an attempt's assignment during which evidence against it is taken (a
    /// challenge or a better bid); a coordinator's bond stays until its last assignment's window
    /// and answer window have passed, so a withdrawal never overtakes pending evidence.
    uint64 public immutable evidenceWindow;
    /// @notice What a challenge costs: lost to whoever answers it (it pays the answer's gas),
    /// returned with the slash when it is not answered. Floods of challenges are not free.
    uint256 public immutable challengeDeposit;
    /// @notice Share of the bond one offence takes, in basis points: never all of it at once.
    uint16 public immutable slashShareBps;
    uint256 public totalDeposits;

    mapping(address => uint256) public bondOf;
    mapping(address => uint256) public withdrawalOf;
    mapping(address => uint64) public withdrawableAt;
    mapping(address => uint32) public openChallenges;
    mapping(bytes32 => Challenge) public challenges;
    mapping(bytes32 => mapping(uint32 => bool)) public misawardProven;
    uint256 public totalBonds;

    constructor(
        Market market_,
        uint64 answerWindow_,
        uint64 withdrawDelay_,
        uint64 evidenceWindow_,
        uint256 challengeDeposit_,
        uint16 slashShareBps_
    ) EIP712("Gavel Audit", "1") {
        if (address(market_) == address(0)) revert ZeroAddress();
        if (slashShareBps_ == 0 || slashShareBps_ > 10_000) revert InvalidShare(slashShareBps_);
        market = market_;
        answerWindow = answerWindow_;
        withdrawDelay = withdrawDelay_;
        evidenceWindow = evidenceWindow_;
        challengeDeposit = challengeDeposit_;
        slashShareBps = slashShareBps_;
    }

    // ── Bonds ─────────────────────────────────────────────────────────────────

    /// @notice Adds msg.value to `coordinator`'s bond (anyone may fund one).
    function postBond(address coordinator) external payable {
        if (coordinator == address(0)) revert ZeroAddress();
        if (msg.value == 0) revert ZeroAmount();
        bondOf[coordinator] += msg.value;
        totalBonds += msg.value;
        emit BondPosted(coordinator, msg.sender, msg.value, bondOf[coordinator]);
    }

    /// @notice The caller asks to withdraw `amount` of its bond after the withdrawal delay.
    function requestWithdrawal(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        withdrawalOf[msg.sender] = amount;
        withdrawableAt[msg.sender] = uint64(block.timestamp) + withdrawDelay;
        emit BondWithdrawalRequested(msg.sender, amount, withdrawableAt[msg.sender]);
    }

    /// @notice Withdraws what the caller asked for once the delay passed and no challenge is open.
    function withdrawBond() external nonReentrant {
        uint64 readyAt = withdrawableAt[msg.sender];
        if (readyAt == 0 || block.timestamp < readyAt) revert WithdrawalNotReady(readyAt);
        if (openChallenges[msg.sender] > 0) revert ChallengesOpen(msg.sender, openChallenges[msg.sender]);
        uint64 frozenUntil = market.lastAssignedAt(msg.sender) + evidenceWindow + answerWindow;
        if (block.timestamp <= frozenUntil) revert BondFrozen(msg.sender, frozenUntil);
        uint256 amount = withdrawalOf[msg.sender] < bondOf[msg.sender] ? withdrawalOf[msg.sender] : bondOf[msg.sender];
        (withdrawalOf[msg.sender], withdrawableAt[msg.sender]) = (0, 0);
        if (amount == 0) revert ZeroAmount();
        bondOf[msg.sender] -= amount;
        totalBonds -= amount;
        emit BondWithdrawn(msg.sender, amount);
        _send(msg.sender, amount);
    }

    // ── Hidden bids: receipts challenged ──────────────────────────────────────

    /// @notice The EIP-712 digest a coordinator signs as its receipt for a bid.
    function receiptDigest(bytes32 jobId, uint32 attempt, bytes32 bidDigest) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(RECEIPT_TYPEHASH, jobId, attempt, bidDigest)));
    }

    /// @notice Challenges the coordinator that signed `receiptSig` for `bid` to show the bid in the
    /// transcript it committed for the bid's attempt, within the attempt's evidence window and with
    /// `challengeDeposit` attached.
    function challenge(Bid calldata bid, bytes calldata bidSig, bytes calldata receiptSig) external payable {
        if (msg.value != challengeDeposit) revert WrongDeposit(msg.value, challengeDeposit);
        bytes32 digest = market.bidDigest(bid);
        address bidder = ECDSA.recover(digest, bidSig);
        if (bidder != bid.prover) revert BidSignerMismatch(bid.prover, bidder);
        address coordinator = ECDSA.recover(receiptDigest(bid.jobId, bid.attempt, digest), receiptSig);
        // A key that held the role when it signed may have lost it since: its receipts still count.
        if (!market.wasCoordinator(coordinator)) revert NotCoordinatorReceipt(coordinator);
        if (market.transcriptHashOf(bid.jobId, bid.attempt) == bytes32(0)) revert NoTranscript(bid.jobId, bid.attempt);
        _checkEvidenceWindow(bid.jobId, bid.attempt);
        if (challenges[digest].coordinator != address(0)) revert ChallengeExists(digest);
        totalDeposits += msg.value;
        uint64 answerBy = uint64(block.timestamp) + answerWindow;
        challenges[digest] =
            Challenge(bid.jobId, bid.attempt, answerBy, true, coordinator, msg.sender, bid.prover, bid.price);
        openChallenges[coordinator] += 1;
        emit Challenged(digest, bid.jobId, bid.attempt, coordinator, msg.sender, answerBy);
    }

    /// @notice Answers a challenge with the bid's leaf in the committed transcript (anyone may).
    function answer(bytes32 bidDigest, Committed calldata c, uint8 standing, bytes32[] calldata proof) external {
        Challenge storage ch = challenges[bidDigest];
        if (!ch.open) revert NoOpenChallenge(bidDigest);
        _checkCommitted(ch.jobId, ch.attempt, c);
        if (!_inTranscript(c.root, Entry(bidDigest, ch.prover, ch.price, standing), proof)) {
            revert NotInTranscript(bidDigest);
        }
        _close(bidDigest, ch);
    }

    /// @notice Answers many challenges in one transaction (anyone may), so a flood of challenges
    /// costs the answerer one transaction per batch, not one per challenge. A challenge closed
    /// already, or an answer that does not check out, is skipped (`AnswerSkipped`): one late or
    /// wrong entry cannot void the others. Returns how many were answered.
    function answerMany(Answer[] calldata answers) external returns (uint256 answered) {
        for (uint256 i = 0; i < answers.length; i++) {
            Answer calldata a = answers[i];
            Challenge storage ch = challenges[a.bidDigest];
            bool ok = ch.open && _isCommitted(ch.jobId, ch.attempt, a.c)
                && _inTranscript(a.c.root, Entry(a.bidDigest, ch.prover, ch.price, a.standing), a.proof);
            if (!ok) {
                emit AnswerSkipped(a.bidDigest);
                continue;
            }
            _close(a.bidDigest, ch);
            answered++;
        }
    }

    /// @dev Closes an answered challenge: it was groundless, so its deposit pays whoever answered.
    function _close(bytes32 bidDigest, Challenge storage ch) private {
        ch.open = false;
        openChallenges[ch.coordinator] -= 1;
        totalDeposits -= challengeDeposit;
        _credit(msg.sender, challengeDeposit);
        emit ChallengeAnswered(bidDigest, msg.sender);
    }

    /// @notice Takes the bond of a coordinator that left a challenge unanswered past its deadline.
    function slashUnanswered(bytes32 bidDigest) external {
        Challenge storage ch = challenges[bidDigest];
        if (!ch.open) revert NoOpenChallenge(bidDigest);
        if (block.timestamp <= ch.answerBy) revert AnswerWindowOpen(bidDigest, ch.answerBy);
        ch.open = false;
        openChallenges[ch.coordinator] -= 1;
        totalDeposits -= challengeDeposit;
        _credit(ch.challenger, challengeDeposit);
        _slash(ch.coordinator, ch.jobId, ch.attempt, HIDDEN_BID, bidDigest, ch.challenger);
    }

    // ── Wrong winner or price ─────────────────────────────────────────────────

    /// @notice Evidence that the attempt was not awarded by its rule: a transcript entry that could
    /// win (standing 0), from another prover, priced below what the job was assigned at.
    function proveBetterBid(bytes32 jobId, uint32 attempt, Committed calldata c, Entry calldata e, bytes32[] calldata proof)
        external
    {
        _checkCommitted(jobId, attempt, c);
        _checkEvidenceWindow(jobId, attempt);
        if (misawardProven[jobId][attempt]) revert AlreadyProven(jobId, attempt);
        if (e.standing != 0) revert NotEligible(e.standing);
        if (e.prover == c.winner) revert WinnerEntry(c.winner);
        if (e.price >= c.price) revert NotABetterBid(e.price, c.price);
        if (!_inTranscript(c.root, e, proof)) revert NotInTranscript(e.bidDigest);
        misawardProven[jobId][attempt] = true;
        _slash(c.coordinator, jobId, attempt, MISAWARDED, e.bidDigest, msg.sender);
    }

    function _checkEvidenceWindow(bytes32 jobId, uint32 attempt) private view {
        uint64 closedAt = market.assignedAt(jobId, attempt) + evidenceWindow;
        if (block.timestamp > closedAt) revert EvidenceWindowClosed(jobId, attempt, closedAt);
    }

    function _checkCommitted(bytes32 jobId, uint32 attempt, Committed calldata c) private view {
        bytes32 stored = market.transcriptHashOf(jobId, attempt);
        if (stored == bytes32(0)) revert NoTranscript(jobId, attempt);
        if (keccak256(abi.encode(c.root, c.coordinator, c.winner, c.price)) != stored) {
            revert CommittedMismatch(jobId, attempt);
        }
    }

    /// @dev Whether `c` is what was committed on-chain for the attempt.
    function _isCommitted(bytes32 jobId, uint32 attempt, Committed calldata c) private view returns (bool) {
        bytes32 stored = market.transcriptHashOf(jobId, attempt);
        return stored != bytes32(0) && keccak256(abi.encode(c.root, c.coordinator, c.winner, c.price)) == stored;
    }

    /// @dev OpenZeppelin StandardMerkleTree leaf over (bytes32, address, uint256, uint8).
    function _inTranscript(bytes32 root, Entry memory e, bytes32[] calldata proof) private pure returns (bool) {
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(e.bidDigest, e.prover, e.price, e.standing))));
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }

    function _slash(address coordinator, bytes32 jobId, uint32 attempt, uint8 offence, bytes32 digest, address to)
        private
    {
        uint256 amount = bondOf[coordinator] * slashShareBps / 10_000;
        bondOf[coordinator] -= amount;
        totalBonds -= amount;
        _credit(to, amount);
        emit CoordinatorSlashed(coordinator, jobId, attempt, offence, digest, amount, to);
    }
}
