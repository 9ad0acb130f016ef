"""Who reads the transparency log, and who brings witnesses' cosignatures to it."""

from __future__ import annotations

from asylon.procedure.roles import Role

# The log's public part names no one (asylon.transparency.services): everyone who works in the
# system reads it, as monitors do from its export; an account that holds no role reads nothing.
LOG_READERS = frozenset(Role)
# Witnesses are run by the international monitors (c2sp.org/tlog-witness); they hand their
# cosignatures in under their monitor accounts.
COSIGNATURE_SUBMITTERS = frozenset({Role.MONITOR})
