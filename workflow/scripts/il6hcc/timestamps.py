"""When results were made: now, or ``SOURCE_DATE_EPOCH`` so that two runs give identical bytes.

``SOURCE_DATE_EPOCH`` is the reproducible-builds convention (reproducible-builds.org/specs):
a whole number of seconds since 1970-01-01 00:00 UTC that every time stamp written uses instead
of the current time. The Snakefile reads it once and hands it to the rules that write a time
stamp as a ``params`` value, so setting or changing it reruns them (and only them).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from il6hcc.config import ConfigError

VARIABLE = "SOURCE_DATE_EPOCH"


def source_date_epoch(environ) -> str:
    """The variable's value from ``environ``, checked; "" when unset or empty (use the time now)."""
    value = environ.get(VARIABLE, "")
    if value and not re.fullmatch(r"[0-9]+", value):
        raise ConfigError(
            f"{VARIABLE}={value!r}: expected a whole number of seconds since 1970-01-01 UTC "
            "(for example $(git log -1 --format=%ct)), or leave it unset"
        )
    return value


def generation_time(epoch: str) -> datetime:
    """The time stamp to write: ``epoch`` (seconds, as ``source_date_epoch`` returns) or now."""
    if epoch:
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)
