"""Reading a receiver's Retry-After: nonsense never stops a delivery from being retried."""

import pytest

from kehoach.exchange import transport


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("-5", 0.0),
        ("1e20", transport.MAX_RETRY_AFTER),
        ("inf", None),
        ("nan", None),
        ("Wed, 21 Oct 2026 07:28:00 GMT", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_is_bounded(header, seconds):
    assert transport._seconds(header) == seconds
