"""Why the service refused or dropped a command. Each is a distinct type so the gateway can
map it once to its public error (Overloaded: Binance -1003 / HTTP 503)."""


class CommandRefused(Exception):
    """The command was not sequenced: nothing about it is in the journal."""

    code = "refused"


class Overloaded(CommandRefused):
    """The sequencer's queue is full; the client should back off and retry."""

    code = "overloaded"


class ShuttingDown(CommandRefused):
    """The service is stopping and takes no new commands."""

    code = "shutting_down"


class NotPrimary(CommandRefused):
    """This engine is a standby following the log; commands go to the primary."""

    code = "not_primary"


class Unjournalable(CommandRefused):
    """The command cannot be written to the journal (an integer beyond 64 bits): refused
    alone, at submit, so that it never reaches a batch and stops the service."""

    code = "unjournalable"


class ServiceFailed(Exception):
    """The journal failed (or the engine raised) while the command was in flight.

    The command may or may not be in the journal; it was never acknowledged. The service has
    stopped, and a restart's recovery decides from the journal what happened.
    """

    code = "failed"


class OutcomeUnknown(ServiceFailed):
    """The command left for an engine in another process and the connection was lost
    before its answer came: it may or may not be in the journal. Only a read of the engine's
    state (the order by its client order id) tells."""

    code = "unknown"
