"""The durable, ordered command log and engine snapshots."""
