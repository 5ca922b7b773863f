"""Card-terminal failures beyond the general device errors.

A payment command that fails after it reached the terminal leaves the outcome open: the
terminal may have charged the card. Those failures are :class:`TransactionInDoubt` (as well as
the usual timeout / offline / protocol type), so the payment service marks the payment intent
for checking (:meth:`devices.zvt.terminal.ZvtTerminal.last_result`) instead of offering to try
again; trying again could charge the customer twice, so they are not ``retryable``.
"""

from __future__ import annotations

from devices.errors import DeviceError, DeviceOffline, DeviceProtocolError, DeviceTimeout


class TransactionInDoubt(DeviceError):
    """The terminal may have booked the transaction; check before charging again."""

    retryable = False


class InDoubtTimeout(DeviceTimeout, TransactionInDoubt):
    """The terminal stopped answering during a payment."""


class InDoubtOffline(DeviceOffline, TransactionInDoubt):
    """The line to the terminal failed during a payment."""


class InDoubtProtocolError(DeviceProtocolError, TransactionInDoubt):
    """The terminal's answer to a payment could not be understood."""


class TerminalRefused(DeviceError):
    """The terminal refused a command (``84 xx``), or an administrative command failed.

    Nothing was booked; ``code`` is the ZVT error code behind the message.
    """

    def __init__(self, device: str, message: str, *, code: int) -> None:
        super().__init__(device, message)
        self.code = code
