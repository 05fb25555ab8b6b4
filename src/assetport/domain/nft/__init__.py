"""The NFT marketplace's domain: collections, items, listings, offers, auctions, primary sales,
the sale's split (fee and royalties) and the verifiable draws."""
