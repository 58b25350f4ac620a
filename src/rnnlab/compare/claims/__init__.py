"""The claims people make about RNNs, LSTMs, GRUs and Transformers, each checked against measurements.

    sections = claim_sections(runs, measured)   # runs: the sweeps' RunResults; measured: suites.measure()

One file per claim: its statement, its rule (printed with the verdict), the measurement it reads and the
verdict the rule derives. base.py holds what they share; render.py turns them into report sections.
"""

from __future__ import annotations

from collections.abc import Sequence

from rnnlab.compare.claims.base import ClaimSection, Cost, Measured, StepLatency, Table, Verdict
from rnnlab.compare.claims.efficiency import efficiency
from rnnlab.compare.claims.long_range import long_range
from rnnlab.compare.claims.short_sequences import short_sequences
from rnnlab.compare.claims.stability import stability
from rnnlab.compare.claims.transformer import transformer
from rnnlab.compare.claims.vanishing import vanishing_gradients
from rnnlab.compare.results import RunResult

__all__ = ["ClaimSection", "Cost", "Measured", "StepLatency", "Table", "Verdict", "claim_sections", "efficiency",
           "long_range", "short_sequences", "stability", "transformer", "vanishing_gradients"]


def claim_sections(runs: Sequence[RunResult], measured: Measured) -> list[ClaimSection]:
    """The six claims, in order."""
    return [vanishing_gradients(measured), long_range(runs), stability(runs, measured), efficiency(runs, measured),
            short_sequences(runs, measured.costs), transformer(runs, measured)]
