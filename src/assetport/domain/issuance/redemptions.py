"""A redemption's lifecycle: a holder asks for the thing (or its price) back; the tokens are
held until the issuer confirms (allocating whole bars for physical delivery and paying cash
for the rest) and they are burned, or rejects and they are released; the holder may cancel
while it is pending."""

from enum import StrEnum


class RedemptionStatus(StrEnum):
    PENDING = "pending"  # the tokens held, waiting for the issuer
    COMPLETED = "completed"  # bars allocated and/or cash paid, the tokens burned
    REJECTED = "rejected"  # by the issuer, with its reason: the tokens released
    CANCELED = "canceled"  # by the holder while pending: the tokens released
