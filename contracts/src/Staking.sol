// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {PullPayments} from "./PullPayments.sol";

/// @title Gavel prover staking
/// @notice Provers register, stake ETH, and withdraw after a cooldown. The market locks part of a
/// prover's free stake as collateral for each job it wins, releases it on success and slashes it
/// on evidence of failure: the slashed amount goes partly to whoever proved the failure (a bounty),
/// partly to the job's requester, the rest to the treasury.
/// Invariant: address(this).balance == totalStaked + totalClaimable.
contract Staking is PullPayments, Ownable2Step {
    struct Prover {
        bool registered;
        string name;
        string endpoint;
        uint256 stake; // all ETH staked, including locked and pending-unstake amounts
        uint256 locked; // collateral locked for assigned jobs
        uint256 unstakePending; // requested for withdrawal, no longer usable as collateral
        uint64 unstakeReadyAt;
    }

    /// @notice Only the market contract may do this.
    error NotMarket();
    /// @notice The market contract was connected already (it is set once).
    error MarketAlreadySet();
    /// @notice An address argument was the zero address.
    error ZeroAddress();
    /// @notice The slash shares add up to more than 10000 basis points.
    error InvalidShare(uint16 bps);
    /// @notice The prover is registered already.
    error AlreadyRegistered(address prover);
    /// @notice The address is not a registered prover.
    error NotRegistered(address prover);
    /// @notice A prover needs a non-empty name.
    error EmptyName();
    /// @notice The stake is below the minimum a prover must keep.
    error StakeBelowMinimum(uint256 staked, uint256 minimum);
    /// @notice The amount must be above zero.
    error ZeroAmount();
    /// @notice The prover's free stake (not locked, not pending withdrawal) is below what is asked.
    error InsufficientFreeStake(address prover, uint256 requested, uint256 free);
    /// @notice The prover has no pending withdrawal.
    error NothingToWithdraw(address prover);
    /// @notice The withdrawal cooldown has not ended yet.
    error CooldownActive(address prover, uint64 readyAt);
    /// @notice Collateral for this job is locked already.
    error CollateralAlreadyLocked(bytes32 jobId, address prover);

    event ProverRegistered(address indexed prover, string name, string endpoint);
    event ProverMetadataUpdated(address indexed prover, string name, string endpoint);
    event Staked(address indexed prover, uint256 amount, uint256 totalStake);
    event UnstakeRequested(address indexed prover, uint256 amount, uint64 readyAt);
    event Withdrawn(address indexed prover, uint256 amount);
    event CollateralLocked(bytes32 indexed jobId, address indexed prover, uint256 amount);
    event CollateralReleased(bytes32 indexed jobId, address indexed prover, uint256 amount);
    event Slashed(
        bytes32 indexed jobId,
        address indexed prover,
        address indexed slasher,
        uint256 toSlasher,
        uint256 toRequester,
        uint256 toTreasury
    );
    event MarketSet(address market);

    address public immutable treasury;
    uint64 public immutable cooldown;
    /// @notice Stake a prover must put up to register, and keep (not counting stake it asked to
    /// withdraw) to stay in good standing: registration is not free.
    uint256 public immutable minStake;
    /// @notice Share of a slashed amount paid to the job's requester, in basis points.
    uint16 public immutable requesterShareBps;
    /// @notice Share of a slashed amount paid to whoever triggered the slash, in basis points.
    uint16 public immutable bountyShareBps;
    address public market;

    uint256 public totalStaked;
    mapping(address => Prover) private _provers;
    mapping(bytes32 => mapping(address => uint256)) public collateralOf;

    constructor(
        address treasury_,
        uint64 cooldown_,
        uint16 requesterShareBps_,
        uint16 bountyShareBps_,
        uint256 minStake_
    ) Ownable(msg.sender) {
        if (treasury_ == address(0)) revert ZeroAddress();
        if (uint256(requesterShareBps_) + bountyShareBps_ > 10_000) {
            revert InvalidShare(requesterShareBps_ + bountyShareBps_);
        }
        bountyShareBps = bountyShareBps_;
        treasury = treasury_;
        cooldown = cooldown_;
        requesterShareBps = requesterShareBps_;
        minStake = minStake_;
    }

    modifier onlyMarket() {
        if (msg.sender != market) revert NotMarket();
        _;
    }

    /// @notice Connects the market contract, once.
    function setMarket(address market_) external onlyOwner {
        if (market != address(0)) revert MarketAlreadySet();
        if (market_ == address(0)) revert ZeroAddress();
        market = market_;
        emit MarketSet(market_);
    }

    /// @notice Registers the sender as a prover, staking msg.value (at least `minStake`).
    function register(string calldata name, string calldata endpoint) external payable {
        Prover storage p = _provers[msg.sender];
        if (p.registered) revert AlreadyRegistered(msg.sender);
        if (bytes(name).length == 0) revert EmptyName();
        if (msg.value < minStake) revert StakeBelowMinimum(msg.value, minStake);
        p.registered = true;
        p.name = name;
        p.endpoint = endpoint;
        emit ProverRegistered(msg.sender, name, endpoint);
        if (msg.value > 0) {
            p.stake = msg.value;
            totalStaked += msg.value;
            emit Staked(msg.sender, msg.value, msg.value);
        }
    }

    /// @notice Changes the sender's name and endpoint (a registered prover only).
    function updateMetadata(string calldata name, string calldata endpoint) external {
        Prover storage p = _registered(msg.sender);
        if (bytes(name).length == 0) revert EmptyName();
        p.name = name;
        p.endpoint = endpoint;
        emit ProverMetadataUpdated(msg.sender, name, endpoint);
    }

    /// @notice Adds msg.value to the sender's stake (a registered prover only).
    function stake() external payable {
        Prover storage p = _registered(msg.sender);
        if (msg.value == 0) revert ZeroAmount();
        p.stake += msg.value;
        totalStaked += msg.value;
        emit Staked(msg.sender, msg.value, p.stake);
    }

    /// @notice Moves `amount` of free stake into a pending withdrawal that unlocks after the
    /// cooldown. A new request adds to the pending amount and restarts the cooldown.
    function requestUnstake(uint256 amount) external {
        Prover storage p = _registered(msg.sender);
        if (amount == 0) revert ZeroAmount();
        uint256 free = _free(p);
        if (amount > free) revert InsufficientFreeStake(msg.sender, amount, free);
        p.unstakePending += amount;
        p.unstakeReadyAt = uint64(block.timestamp) + cooldown;
        emit UnstakeRequested(msg.sender, amount, p.unstakeReadyAt);
    }

    /// @notice Pays out the sender's pending withdrawal once its cooldown has ended.
    function withdraw() external nonReentrant {
        Prover storage p = _registered(msg.sender);
        uint256 amount = p.unstakePending;
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        if (block.timestamp < p.unstakeReadyAt) revert CooldownActive(msg.sender, p.unstakeReadyAt);
        p.unstakePending = 0;
        p.stake -= amount;
        totalStaked -= amount;
        emit Withdrawn(msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// @notice Locks `amount` of the prover's free stake as collateral for `jobId` (the market only).
    function lock(address prover, bytes32 jobId, uint256 amount) external onlyMarket {
        Prover storage p = _registered(prover);
        if (collateralOf[jobId][prover] != 0) revert CollateralAlreadyLocked(jobId, prover);
        uint256 free = _free(p);
        if (amount > free) revert InsufficientFreeStake(prover, amount, free);
        p.locked += amount;
        collateralOf[jobId][prover] = amount;
        emit CollateralLocked(jobId, prover, amount);
    }

    /// @notice Releases the collateral the prover locked for `jobId` (the market only).
    function release(address prover, bytes32 jobId) external onlyMarket {
        uint256 amount = collateralOf[jobId][prover];
        delete collateralOf[jobId][prover];
        _provers[prover].locked -= amount;
        emit CollateralReleased(jobId, prover, amount);
    }

    /// @notice Takes the collateral `prover` locked for `jobId`: the slasher's bounty, the
    /// requester's share and the treasury's rest become claimable. Returns the amount slashed.
    function slash(address prover, bytes32 jobId, address requester, address slasher)
        external
        onlyMarket
        returns (uint256 amount)
    {
        amount = collateralOf[jobId][prover];
        delete collateralOf[jobId][prover];
        Prover storage p = _provers[prover];
        p.locked -= amount;
        p.stake -= amount;
        totalStaked -= amount;
        uint256 toSlasher = (amount * bountyShareBps) / 10_000;
        uint256 toRequester = (amount * requesterShareBps) / 10_000;
        uint256 toTreasury = amount - toSlasher - toRequester;
        _credit(slasher, toSlasher);
        _credit(requester, toRequester);
        _credit(treasury, toTreasury);
        emit Slashed(jobId, prover, slasher, toSlasher, toRequester, toTreasury);
    }

    /// @notice The prover's registration, stake, locked collateral and pending withdrawal.
    function proverInfo(address prover) external view returns (Prover memory) {
        return _provers[prover];
    }

    /// @notice Stake the prover can still lock as collateral: not locked, not pending withdrawal.
    function freeStake(address prover) external view returns (uint256) {
        return _free(_provers[prover]);
    }

    /// @notice Whether `prover` is registered and in good standing: its stake, less what it asked
    /// to withdraw, is at least `minStake` (slashed out or leaving, it is not).
    function isRegistered(address prover) external view returns (bool) {
        Prover storage p = _provers[prover];
        return p.registered && p.stake - p.unstakePending >= minStake;
    }

    function _registered(address prover) private view returns (Prover storage p) {
        p = _provers[prover];
        if (!p.registered) revert NotRegistered(prover);
    }

    function _free(Prover storage p) private view returns (uint256) {
        return p.stake - p.locked - p.unstakePending;
    }

}
