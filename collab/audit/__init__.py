"""The verifiable log (DESIGN §5): writer signatures, the Merkle tree, checkpoints, proofs."""
