"""SARIF rule tags come from the registry's CheckSpec.tags, not from the spelling of a check id."""

from __future__ import annotations

from checker.registry import BY_ID, CHECKS
from checker.reporters.sarif import rule_dict


def test_rule_tags_are_the_specs_and_only_security_rules_carry_a_security_severity() -> None:
    for spec in CHECKS:
        props = rule_dict(spec)["properties"]
        assert props["tags"] == list(spec.tags)
        assert ("security-severity" in props) is ("security" in spec.tags), spec.id


def test_security_is_what_an_attacker_can_use_not_every_id_with_key_in_it() -> None:
    security = {spec.id for spec in CHECKS if "security" in spec.tags}
    assert {"secret-ideogram-key", "k8s-key-literal", "webhook-unverified", "webhook-insecure-url",
            "gate-config-changed"} <= security
    assert "security" not in BY_ID["k8s-key-missing"].tags  # no key at all is an outage, not a leak
