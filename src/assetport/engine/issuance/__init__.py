"""The issuance product: real-world-asset tokens issued against attested reserves."""
