"""ZVT, the ECR–terminal protocol of German-speaking card terminals, over a serial line.

Layers, bottom up: :mod:`~devices.zvt.framing` (DLE STX frames, CRC, ACK/NAK),
:mod:`~devices.zvt.apdu` (class, instruction, length, data), :mod:`~devices.zvt.bmp` (the data
fields), :mod:`~devices.zvt.codes` (result and status codes and their texts),
:mod:`~devices.zvt.commands` (what the till sends), :mod:`~devices.zvt.messages` (the
terminal's messages, parsed), :mod:`~devices.zvt.results` (the driver's typed results),
:mod:`~devices.zvt.terminal` (the driver, :class:`~devices.zvt.terminal.ZvtTerminal`) and
:mod:`~devices.zvt.simulator` (a terminal on a pseudo-terminal, for tests and demos; its
outcomes, replies and pty line in :mod:`~devices.zvt.simulator_outcomes`,
:mod:`~devices.zvt.simulator_replies` and :mod:`~devices.zvt.pty_port`).
Nothing is imported here; each layer is imported where it is needed.
"""
