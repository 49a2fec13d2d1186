"""One result type for every statistic in ``il6hcc.stats``: the test, its estimate and interval,
and whether it could be computed. What R would not compute is ``StatResult.not_estimable(reason)``
rather than an exception, so a table has one row per planned analysis saying why it is empty;
tables take columns from :meth:`StatResult.columns`. A batched statistic returns one result
whose fields are arrays over the batch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

NOT_ESTIMABLE = "not estimable"
# The fields that every table built from results carries, in this order.
CORE_FIELDS = (
    "statistic",
    "p_value",
    "estimate",
    "ci_low",
    "ci_high",
    "conf_level",
    "method",
    "estimable",
    "reason",
)


@dataclass(frozen=True)
class StatResult:
    """A statistic's outcome.

    ``estimate`` is the effect the test is about (a location shift, an AUC, a hazard ratio ...)
    with its ``ci_low``/``ci_high`` interval at ``conf_level``; ``method`` is the method
    actually used, as printed in the report (for example "exact" or "normal approximation,
    continuity correction"); ``extra`` holds what is particular to one statistic (counts such
    as ``n_pairs``, secondary effect sizes), under the column names the tables use.
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

    def columns(self, prefix: str = "", keep: tuple[str, ...] = CORE_FIELDS) -> dict[str, Any]:
        """The result as table columns: the ``keep`` core fields, then every ``extra`` value,
        each name prefixed by ``prefix`` (for a table with two results side by side)."""
        unknown = set(keep) - set(CORE_FIELDS)
        if unknown:
            raise ValueError(f"not a field of a result: {sorted(unknown)}")
        values = {name: getattr(self, name) for name in keep}
        values.update(self.extra)
        return {prefix + name: value for name, value in values.items()}
