// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Bid, Result} from "./MarketTypes.sol";

/// @title EIP-712 messages of the Gavel market (domain "Gavel", version "1", this contract)
/// @notice Bids, results and hand-backs are signed by provers off-chain; the market recovers the
/// signers with OpenZeppelin's EIP712 and ECDSA.
abstract contract SignedTerms is EIP712 {
    bytes32 public constant BID_TYPEHASH = keccak256(
        "Bid(bytes32 jobId,uint32 attempt,uint256 price,address prover,uint64 expiry,uint64 nonce,uint32 deliverySeconds)"
    );
    bytes32 public constant RESULT_TYPEHASH =
        keccak256("Result(bytes32 jobId,uint32 attempt,uint32 item,bytes32 proofHash,bytes32 publicInputsHash)");
    bytes32 public constant HANDBACK_TYPEHASH = keccak256("HandBack(bytes32 jobId,uint32 attempt)");

    constructor() EIP712("Gavel", "1") {}

    /// @notice The EIP-712 digest a prover signs for `bid` (also its id in auction transcripts).
    function bidDigest(Bid calldata bid) public view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(
                BID_TYPEHASH,
                bid.jobId,
                bid.attempt,
                bid.price,
                bid.prover,
                bid.expiry,
                bid.nonce,
                bid.deliverySeconds
            )
        );
        return _hashTypedDataV4(structHash);
    }

    function _bidSigner(Bid calldata bid, bytes calldata signature) internal view returns (address) {
        return ECDSA.recover(bidDigest(bid), signature);
    }

    function _resultSigner(Result calldata r, bytes calldata signature) internal view returns (address) {
        bytes32 structHash =
            keccak256(abi.encode(RESULT_TYPEHASH, r.jobId, r.attempt, r.item, r.proofHash, r.publicInputsHash));
        return ECDSA.recover(_hashTypedDataV4(structHash), signature);
    }

    function _handBackSigner(bytes32 jobId, uint32 attempt, bytes calldata signature) internal view returns (address) {
        bytes32 structHash = keccak256(abi.encode(HANDBACK_TYPEHASH, jobId, attempt));
        return ECDSA.recover(_hashTypedDataV4(structHash), signature);
    }
}
