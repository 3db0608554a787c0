"""The cross-chain bridge, home side (envalue): pledge, return, reclaim, HTLC, and the
record of retirements made on a partner ledger.

Protocol (Hyperledger Cacti/Weaver asset transfer, with Regen's origin index):

- `msg_pledge`: the owner moves tradable units into the bridge's custody for a target
  network, naming the recipient there and an expiry; they become ``bridged_out``.
- The partner mints wrapped units once per pledge with a proof of the pledge view
  (`views.pledge_view`), before expiry (`envalue.chaincode.domain.wrapped.msg_claim`).
- `msg_release`: a proof of a burn on the partner releases the same lot's units from
  custody to the burn's named home recipient, once per burn.
- `msg_reclaim`: after expiry, a proof that the partner *voided* the pledge in its origin
  index (no claim happened, and none can now) returns the units to the owner.
- `msg_report_retirement`: a proof of a retirement on the partner retires the same
  number of custody units at home with a serial range, so they are never an offset twice.
- `msg_htlc_lock` / `msg_htlc_claim` / `msg_htlc_refund`: hash time-locked escrow for
  atomic swaps against partner assets (the partner has the same three messages).

`conservation.check_conservation` proves, across both stores, that home units plus
wrapped units plus units in flight equal the issued supply.
"""
