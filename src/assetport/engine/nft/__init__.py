"""The NFT marketplace product (see product.py)."""
