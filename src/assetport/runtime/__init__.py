"""The service runtime: sequencer, journal, engine and event bus wired together."""
