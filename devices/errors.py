"""Device errors: every device failure ends in one of these, with a message for the counter."""

from __future__ import annotations


class DeviceError(Exception):
    """A device did not do what was asked. ``retryable``: trying again may work."""

    retryable = True

    def __init__(self, device: str, message: str) -> None:
        super().__init__(f"{device}: {message}")
        self.device = device
        self.message = message


class DeviceTimeout(DeviceError):
    """No answer before the deadline."""


class DeviceOffline(DeviceError):
    """The device cannot be reached (port cannot be opened, connection refused)."""


class DeviceBusy(DeviceError):
    """The device is doing something else."""


class PaperOut(DeviceError):
    """The printer has no paper."""


class DeviceProtocolError(DeviceError):
    """The device answered something we do not understand."""

    retryable = False
