"""Redaction and fingerprints: pure functions, table-tested."""

from __future__ import annotations

import logging

import pytest

from checker.redact import MASK, RedactingFilter, Redactor, fingerprint, secret_fingerprint

KEY = "ik_9Qm2Xv7Lp4Rt8Wz1Yb6Cf3Hj5Sd0Ga2Nk"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"key={KEY}", f"key={MASK}"),
        (f"prefix {KEY[:8]} logged", f"prefix {MASK} logged"),
        (f"{KEY}{KEY}", MASK + MASK),
        ("nothing here", "nothing here"),
    ],
)
def test_redactor_masks_values_and_prefixes(text, expected):
    r = Redactor()
    r.register(KEY)
    assert r(text) == expected


def test_keys_sharing_a_prefix_are_both_masked_whole():
    r = Redactor()
    r.register(KEY)
    r.register(KEY + "-staging")
    assert r(f"a {KEY} b {KEY}-staging") == f"a {MASK} b {MASK}"


def test_short_or_empty_values_are_not_registered():
    r = Redactor()
    r.register("")
    r.register(None)
    r.register("ab")
    assert r("ab cd") == "ab cd"


def test_logging_filter_redacts_args(caplog):
    r = Redactor()
    r.register(KEY)
    logger = logging.getLogger("test.redact")
    logger.addFilter(RedactingFilter(r))
    with caplog.at_level(logging.INFO, logger="test.redact"):
        logger.info("calling with %s", KEY)
    assert KEY not in caplog.text and MASK in caplog.text


def test_fingerprints_are_stable_and_hide_the_value():
    assert fingerprint("a", "b") == fingerprint("a", "b") != fingerprint("a", "c")
    fp = secret_fingerprint(KEY)
    assert KEY not in fp and fp.startswith("sha256:") and fp == secret_fingerprint(KEY)


def test_key_shaped_parts_of_paths_are_masked_whole_and_other_names_stay():
    key = "ik0a1b2c3d4e5f60718293a4b5c6d7e8f9Q7"
    r = Redactor()
    ordinary = ["tests/test_checks_tests_pass.py", "src/app_v2.py", "web/UserProfileSettingsV2.tsx",
                "db/Migration20240101InitialSchema.py", "src/module_30281_jkvsacfzmrjvxyz.py"]
    r.register_paths([f"docs/{key}.md", f"cfg/{key}/app.py", *ordinary])
    assert r(f"docs/{key}.md:1 and cfg/{key}/app.py") == f"docs/{MASK}.md:1 and cfg/{MASK}/app.py"
    assert r(" ".join(ordinary)) == " ".join(ordinary)
    assert r(key[:8] + " prefix") == key[:8] + " prefix"  # a file name is not a known secret: whole only


def test_register_env_masks_the_named_variables_value_only():
    r = Redactor()
    r.register_env("TEAM_IDEOGRAM_TOKEN", {"TEAM_IDEOGRAM_TOKEN": KEY, "IDEOGRAM_API_KEY": "other-value-12345"})
    r.register_env("UNSET", {})
    assert r(f"{KEY} other-value-12345") == f"{MASK} other-value-12345"
