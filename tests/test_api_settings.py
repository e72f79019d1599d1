"""Settings are checked by type when the app is created: a wrong one stops start-up, named."""

from __future__ import annotations

import pytest

from webui import SETTINGS, create_app


def start(data_index, **settings):
    return create_app({"INDEX_DIR": str(data_index), "TESTING": True, "WARM_UP": False,
                       **settings})


@pytest.mark.parametrize("name, value", [
    ("CACHE_MAX_AGE", -5), ("CACHE_MAX_AGE", "60"), ("CACHE_MAX_AGE", 1.5),
    ("CACHE_MAX_AGE", True),
    ("RATE_LIMIT", "100"), ("RATE_LIMIT", "0/minute"), ("RATE_LIMIT", "5/day"),
    ("RATE_LIMIT", 120), ("RATE_LIMIT", "5/Minute"),
    ("RESULT_CACHE", -1), ("RESULT_CACHE", "256"), ("RESULT_CACHE", None),
    ("RESULT_CACHE", 2.5),
    ("SLOW_QUERY_MS", "fast"), ("SLOW_QUERY_MS", -1), ("SLOW_QUERY_MS", False),
    ("SITE_NAME", ""), ("SITE_NAME", None),
    ("TESTING", "yes"), ("WARM_UP", 0),
    ("INDEX_DIR", 42),
])
def test_a_mistyped_setting_stops_start_up_naming_it(data_index, name, value):
    with pytest.raises(ValueError) as stopped:
        start(data_index, **{name: value})
    message = str(stopped.value)
    assert message.startswith(f"{name} must be {SETTINGS[name].accepts}, not {value!r}")


def test_every_wrong_setting_is_named_at_once(data_index):
    with pytest.raises(ValueError) as stopped:
        start(data_index, RATELIMIT="5/minute", RESULT_CACHE=-1, SLOW_QUERY_MS="x")
    message = str(stopped.value)
    assert "unknown settings: RATELIMIT" in message
    assert "RESULT_CACHE must be" in message and "SLOW_QUERY_MS must be" in message


@pytest.mark.parametrize("name, value", [
    ("CACHE_MAX_AGE", 0), ("RATE_LIMIT", "off"), ("RATE_LIMIT", "OFF"),
    ("RATE_LIMIT", " 30 / second "), ("RATE_LIMIT", "1000/hour"), ("RATE_LIMIT", None),
    ("RESULT_CACHE", 0), ("SLOW_QUERY_MS", 0.5), ("SLOW_QUERY_MS", None),
])
def test_valid_settings_start(data_index, name, value):
    app = start(data_index, **{name: value})
    assert app.config[name] == value


def test_the_modules_read_the_checked_values(data_index):
    app = start(data_index, RESULT_CACHE=0, RATE_LIMIT="3/minute", CACHE_MAX_AGE=7)
    assert app.extensions["live_index"].generation().results_size == 0
    assert app.extensions["rate_limiter"].rate.requests == 3
    response = app.test_client().get("/api/search")
    assert response.headers["Cache-Control"] == "public, max-age=7"
