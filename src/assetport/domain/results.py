"""Why the engine refused a command.

Every refusal names one reason; the gateway maps each reason once to the public error
(a Binance code and message). Grouped as in exchange-core: market, order checks, funds,
order lookup, admin.
"""

from enum import StrEnum


class RejectReason(StrEnum):
    # market
    UNKNOWN_SYMBOL = "UNKNOWN_SYMBOL"
    MARKET_CLOSED = "MARKET_CLOSED"
    MARKET_CANCEL_ONLY = "MARKET_CANCEL_ONLY"
    # order checks (filters and shape)
    INVALID_ORDER = "INVALID_ORDER"
    PRICE_FILTER = "PRICE_FILTER"
    LOT_SIZE = "LOT_SIZE"
    NOTIONAL = "NOTIONAL"
    MAX_NUM_ORDERS = "MAX_NUM_ORDERS"
    ICEBERG_PARTS = "ICEBERG_PARTS"
    ICEBERG_NOT_ALLOWED = "ICEBERG_NOT_ALLOWED"
    QUOTE_ORDER_QTY_NOT_ALLOWED = "QUOTE_ORDER_QTY_NOT_ALLOWED"
    WOULD_TAKE = "WOULD_TAKE"
    WOULD_TRIGGER_IMMEDIATELY = "WOULD_TRIGGER_IMMEDIATELY"
    DUPLICATE_ORDER = "DUPLICATE_ORDER"
    # an order list whose legs' prices break Binance's relationship (domain/order_lists.py)
    PRICE_RELATIONSHIP = "PRICE_RELATIONSHIP"
    INVALID_ORDER_LIST = "INVALID_ORDER_LIST"  # its legs' kinds, sides or quantities do not fit
    STP_MODE_NOT_ALLOWED = "STP_MODE_NOT_ALLOWED"  # NONE where the market does not allow it
    # funds
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE"
    # order lookup
    UNKNOWN_ORDER = "UNKNOWN_ORDER"
    CANCEL_RESTRICTED = "CANCEL_RESTRICTED"
    INVALID_AMEND = "INVALID_AMEND"
    # admin and transfers
    UNKNOWN_ASSET = "UNKNOWN_ASSET"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    ALREADY_APPLIED = "ALREADY_APPLIED"  # the same transfer again: idempotent, nothing changes
    REFERENCE_REUSED = "REFERENCE_REUSED"  # a reference already used for another transfer
    ALREADY_LISTED = "ALREADY_LISTED"
    INVALID_LISTING = "INVALID_LISTING"
    INVALID_FEE = "INVALID_FEE"
    INVALID_ACCOUNT = "INVALID_ACCOUNT"
    # The asset's total supply would pass what the ledger records (domain.units.MAX_AMOUNT).
    AMOUNT_TOO_LARGE = "AMOUNT_TOO_LARGE"
    # small balances (domain/dust.py)
    NOT_DUST = "NOT_DUST"  # worth an order of its own: sell it instead
    NO_PRICE = "NO_PRICE"  # no market against the target with a last price to value it
    CONVERSION_UNAVAILABLE = "CONVERSION_UNAVAILABLE"  # the venue cannot pay for it now
    # custody (domain/custody.py)
    WITHDRAWALS_CLOSED = "WITHDRAWALS_CLOSED"  # no rules for the asset on that network, or off
    BELOW_MINIMUM = "BELOW_MINIMUM"
    ADDRESS_NOT_IN_BOOK = "ADDRESS_NOT_IN_BOOK"
    ADDRESS_IN_COOLDOWN = "ADDRESS_IN_COOLDOWN"
    ADDRESS_ALREADY_IN_BOOK = "ADDRESS_ALREADY_IN_BOOK"
    TOO_MANY_ADDRESSES = "TOO_MANY_ADDRESSES"
    DAILY_LIMIT = "DAILY_LIMIT"
    UNKNOWN_WITHDRAWAL = "UNKNOWN_WITHDRAWAL"
    WITHDRAWAL_NOT_ALLOWED_NOW = "WITHDRAWAL_NOT_ALLOWED_NOW"  # not from its current status
    ALREADY_APPROVED = "ALREADY_APPROVED"  # by this operator
    # issuance (domain/issuance/)
    NOT_AN_RWA_TOKEN = "NOT_AN_RWA_TOKEN"  # not a listed RWA token of that issuer, no terms
    INVALID_RWA_TERMS = "INVALID_RWA_TERMS"
    UNKNOWN_ATTESTOR = "UNKNOWN_ATTESTOR"  # no such key id registered for the issuer
    BAD_ATTESTATION_SIGNATURE = "BAD_ATTESTATION_SIGNATURE"
    INCONSISTENT_ATTESTATION = "INCONSISTENT_ATTESTATION"  # its lots, its total, its time
    EXCEEDS_RESERVE = "EXCEEDS_RESERVE"  # the supply would pass the attested reserve
    NO_HOLDERS = "NO_HOLDERS"  # a distribution with nobody to pay
    SUBSCRIPTION_CLOSED = "SUBSCRIPTION_CLOSED"  # no open subscription, or not in that quote
    BELOW_ISSUER_MINIMUM = "BELOW_ISSUER_MINIMUM"  # a subscription or redemption under the terms
    UNKNOWN_REDEMPTION = "UNKNOWN_REDEMPTION"  # no such redemption of that account / issuer
    REDEMPTION_NOT_PENDING = "REDEMPTION_NOT_PENDING"  # already completed, rejected or canceled
    INVALID_BAR_ALLOCATION = "INVALID_BAR_ALLOCATION"  # unknown or taken lots, more than held
    NOT_A_CARBON_CREDIT = "NOT_A_CARBON_CREDIT"  # only carbon credits are retired
    INVALID_RWA_TRANSFER = "INVALID_RWA_TRANSFER"  # its kind, accounts, reason or amount
    NOT_ELIGIBLE = "NOT_ELIGIBLE"  # the account may not hold the token (KYC, country), or send it
    HOLDER_LIMIT = "HOLDER_LIMIT"  # the token's holder count or per-holder cap would be passed
    LOCKED_UP = "LOCKED_UP"  # the token may not change hands before its lock-up ends
    NOT_FROZEN = "NOT_FROZEN"  # an unfreeze of more than is frozen
    INVALID_CUSTODY_INPUT = "INVALID_CUSTODY_INPUT"  # a field out of its bounds
    # NFT marketplace (domain/nft/)
    UNKNOWN_COLLECTION = "UNKNOWN_COLLECTION"
    COLLECTION_EXISTS = "COLLECTION_EXISTS"
    INVALID_COLLECTION = "INVALID_COLLECTION"  # its code, names, cover, royalty or currency
    NOT_THE_CREATOR = "NOT_THE_CREATOR"  # only the collection's creator mints
    INVALID_NFT_ITEM = "INVALID_NFT_ITEM"  # an item to mint that breaks the metadata's rules
    TOKEN_ID_TAKEN = "TOKEN_ID_TAKEN"  # minted already (or twice in one batch)
    UNKNOWN_NFT_ITEM = "UNKNOWN_NFT_ITEM"
    NFT_NOT_HELD = "NFT_NOT_HELD"  # fewer free units of the item than asked for
    INVALID_NFT_TERMS = "INVALID_NFT_TERMS"  # a listing's, offer's or auction's terms
    UNKNOWN_NFT_LISTING = "UNKNOWN_NFT_LISTING"  # none such open (of that account)
    UNKNOWN_NFT_OFFER = "UNKNOWN_NFT_OFFER"
    UNKNOWN_NFT_AUCTION = "UNKNOWN_NFT_AUCTION"
    NFT_SELF_TRADE = "NFT_SELF_TRADE"  # one's own listing, offer or auction
    NFT_PRICE_CHANGED = "NFT_PRICE_CHANGED"  # the price confirmed is not the listing's
    ITEM_NOT_IN_OFFER = "ITEM_NOT_IN_OFFER"  # not of the offer's item, collection or trait
    AUCTION_NOT_OPEN = "AUCTION_NOT_OPEN"  # not started yet, or ended
    BID_TOO_LOW = "BID_TOO_LOW"  # under the start price, the minimum raise or the Dutch price
    AUCTION_HAS_BIDS = "AUCTION_HAS_BIDS"  # an auction with a bid runs to its end
    TOO_MANY_NFT_ORDERS = "TOO_MANY_NFT_ORDERS"  # an account's open listings, offers, auctions
    UNKNOWN_NFT_WITHDRAWAL = "UNKNOWN_NFT_WITHDRAWAL"  # none such pending
    UNKNOWN_NFT_DROP = "UNKNOWN_NFT_DROP"  # no such primary sale running (or not a draw)
    DROP_NOT_OPEN = "DROP_NOT_OPEN"  # before its window, after it, or revealed too early
    DROP_LIMIT = "DROP_LIMIT"  # past the cap per account, sold out, or a platform account
    NFT_NOT_ON_CHAIN = "NFT_NOT_ON_CHAIN"  # a deposit of more units than left for the chain
