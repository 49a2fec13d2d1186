"""il6hcc.timestamps: SOURCE_DATE_EPOCH, when set, is the time stamp written; else the time now."""

from datetime import UTC, datetime, timedelta

import pytest

from il6hcc.config import ConfigError
from il6hcc.timestamps import generation_time, source_date_epoch


def test_the_epoch_is_the_time_written():
    epoch = source_date_epoch({"SOURCE_DATE_EPOCH": "1700000000"})
    assert generation_time(epoch) == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


@pytest.mark.parametrize("environ", [{}, {"SOURCE_DATE_EPOCH": ""}])
def test_unset_means_now(environ):
    epoch = source_date_epoch(environ)
    assert epoch == ""
    assert abs(generation_time(epoch) - datetime.now(UTC)) < timedelta(minutes=1)


@pytest.mark.parametrize("value", ["yesterday", "-5", "1.5e9", " 1700000000"])
def test_a_malformed_epoch_stops_with_its_value(value):
    with pytest.raises(ConfigError, match="SOURCE_DATE_EPOCH"):
        source_date_epoch({"SOURCE_DATE_EPOCH": value})
