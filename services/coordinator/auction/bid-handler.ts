// The bid subject's handler: every request is judged and answered (accepted, or rejected with a
// code and reason); a message that cannot be parsed is answered BAD_MESSAGE.
import type { Msg } from '@nats-io/transport-node';
import { errorMessage } from '../../shared/errors.js';
import { type BidReply, encode, parseBidRequest } from '../../shared/protocol/messages.js';
import { subjectProver } from '../../shared/protocol/subjects.js';
import type { CoordinatorContext } from '../context.js';
import { judgeBid } from './judge-bid.js';

export async function onBid(ctx: CoordinatorContext, msg: Msg): Promise<void> {
  let reply: BidReply;
  if (!ctx.limits.bids.take(subjectProver(msg.subject))) {
    ctx.metrics.bids.inc({ result: 'RATE_LIMITED' });
    if (msg.reply)
      msg.respond(
        encode({ accepted: false, code: 'RATE_LIMITED', reason: 'too many bids from this prover' }),
      );
    return;
  }
  try {
    const request = parseBidRequest(msg.data);
    reply =
      subjectProver(msg.subject) === request.bid.prover.toLowerCase()
        ? await judgeBid(ctx, request)
        : { accepted: false, code: 'WRONG_SUBJECT', reason: "a bid goes on its own prover's subject" };
  } catch (e) {
    reply = { accepted: false, code: 'BAD_MESSAGE', reason: errorMessage(e) };
  }
  ctx.metrics.bids.inc({ result: reply.accepted ? 'accepted' : (reply.code ?? 'rejected') });
  if (msg.reply) msg.respond(encode(reply));
}
