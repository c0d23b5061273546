"""The long-running daemon: scheduling, heartbeats, alerts and signals."""
