"""ZVT, the ECR–terminal protocol of German-speaking card terminals, over a serial line.

Layers, bottom up: :mod:`~devices.zvt.framing` (DLE STX frames, CRC, ACK/NAK),
:mod:`~devices.zvt.apdu` (class, instruction, length, data), :mod:`~devices.zvt.bmp` (the data
fields), :mod:`~devices.zvt.messages` (commands and terminal messages),
:mod:`~devices.zvt.terminal` (the driver, :class:`~devices.zvt.terminal.ZvtTerminal`) and
:mod:`~devices.zvt.simulator` (a terminal on a pseudo-terminal, for tests and demos).
Nothing is imported here; each layer is imported where it is needed.
"""
