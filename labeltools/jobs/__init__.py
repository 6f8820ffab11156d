"""Batch jobs: each lists its work items, hands a per-item function to the engine and yields one
FileResult per item."""
