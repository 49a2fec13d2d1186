"""One result type for every statistic in ``il6hcc.stats``. What R would not compute is
``StatResult.not_estimable(reason)``, not an exception, so that a table has one row per planned
analysis saying why it is empty; a batched statistic returns one result of arrays.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

NOT_ESTIMABLE = "not estimable"


@dataclass(frozen=True)
class StatResult:
    """A statistic's outcome: ``estimate`` is the effect tested (a location shift, an AUC, a
    hazard ratio ...) with its interval at ``conf_level``; ``method`` the method used, as the
    report prints it ("exact", "normal approximation, continuity correction" ...); ``extra``
    what is particular to one statistic (counts, secondary effect sizes) under table names.
    """

    statistic: Any = math.nan
    p_value: Any = math.nan
    estimate: Any = math.nan
    ci_low: Any = math.nan
    ci_high: Any = math.nan
    conf_level: Any = math.nan
    method: Any = NOT_ESTIMABLE
    estimable: Any = True
    reason: Any = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def not_estimable(cls, reason: str, **extra: Any) -> StatResult:
        """A statistic that could not be computed, and why (``extra``: the counts that were)."""
        if not reason:
            raise ValueError("a result that is not estimable needs its reason")
        return cls(estimable=False, reason=reason, extra=extra)

    def with_extra(self, **extra: Any) -> StatResult:
        """The same result with more (or replaced) ``extra`` values."""
        return replace(self, extra={**self.extra, **extra})

    def columns(self, prefix: str = "", keep: tuple[str, ...] | None = None) -> dict[str, Any]:
        """The ``keep`` fields (default: every field but ``extra``), then every ``extra``
        value, as table columns named with ``prefix`` (for two results side by side)."""
        keep = CORE_FIELDS if keep is None else keep
        unknown = set(keep) - set(CORE_FIELDS)
        if unknown:
            raise ValueError(f"not a field of a result: {sorted(unknown)}")
        values = {name: getattr(self, name) for name in keep} | dict(self.extra)
        return {prefix + name: value for name, value in values.items()}


# The fields that every table built from results carries, in this order.
CORE_FIELDS = tuple(f.name for f in fields(StatResult) if f.name != "extra")
