// Bid receipts: for each accepted bid the coordinator signs a receipt (its promise that the bid is
// in the attempt's transcript). The prover files every receipt with its watchtowers, who check the
// transcript committed at assignment and challenge the coordinator on-chain when the bid is
// missing. Filing is best effort and never delays bidding.
import type { Logger } from 'pino';
import type { BidReply, BidRequest } from '../../shared/protocol/messages.js';
import { fileWithWatchtowers } from '../watchtower-filing.js';

export class ReceiptFiler {
  constructor(
    private readonly watchtowers: string[],
    private readonly log: Logger,
  ) {}

  /** Files the receipt of an accepted bid with every watchtower (in the background). */
  file(request: BidRequest, reply: BidReply): void {
    if (!reply.receipt || this.watchtowers.length === 0) return;
    const body = JSON.stringify({ ...request, receipt: reply.receipt });
    fileWithWatchtowers(
      this.watchtowers,
      '/v1/receipts',
      body,
      { name: 'bid receipt', jobId: request.bid.jobId },
      this.log,
    );
  }
}
