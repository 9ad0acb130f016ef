"""The transparency log: a Merkle tree of every event, signed checkpoints, witnesses.

Nothing here imports Django. `merkle` is the RFC 9162 tree, `note` the C2SP signed
notes, checkpoints and cosignatures, `witness` the monitor's side of the protocol.
"""
