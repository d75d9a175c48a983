// Bid receipts: for each accepted bid the coordinator signs a receipt (its promise that the bid is
// in the attempt's transcript). The prover files every receipt with its watchtowers, who check the
// transcript committed at assignment and challenge the coordinator on-chain when the bid is
// missing. Filing is best effort and never delays bidding.
import type { Logger } from 'pino';
import { errorMessage } from '../../shared/errors.js';
import type { BidReply, BidRequest } from '../../shared/protocol/messages.js';

export class ReceiptFiler {
  constructor(
    private readonly watchtowers: string[],
    private readonly log: Logger,
  ) {}

  /** Files the receipt of an accepted bid with every watchtower (in the background). */
  file(request: BidRequest, reply: BidReply): void {
    if (!reply.receipt || this.watchtowers.length === 0) return;
    const body = JSON.stringify({ ...request, receipt: reply.receipt });
    for (const url of this.watchtowers)
      void fetch(`${url}/v1/receipts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(10_000),
      })
        .then(async (res) => {
          if (!res.ok)
            this.log.warn(
              { jobId: request.bid.jobId, url, status: res.status, body: await res.text() },
              'a watchtower refused a bid receipt',
            );
        })
        .catch((err) =>
          this.log.warn(
            { jobId: request.bid.jobId, url, err: errorMessage(err) },
            'cannot file a bid receipt',
          ),
        );
  }
}
