"""The key in the configured env var (ideogram.api_key_env), not only IDEOGRAM_API_KEY, is masked in every output."""

from __future__ import annotations

from pathlib import Path

from tests.adversarial.hostile import KEY, assert_not_passed, gate, hostile_repo

# A value the path masking does not take for a key (it is made of words): only the env registration masks it.
VALUE = "correcthorsebatterystaple-ideogram-2024"


def test_a_file_named_after_the_configured_key_env_value_is_masked(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, {
        ".ideogram-prod.yaml": "ideogram:\n  api_key_env: TEAM_IDEOGRAM_TOKEN\n",
        f"app/{VALUE}.py": f'IDEOGRAM_API_KEY = "{KEY}"\n',
    })
    run = gate(repo, "--select", "secret-ideogram-key", env={"TEAM_IDEOGRAM_TOKEN": VALUE})
    assert_not_passed(run, "secret-ideogram-key")
    assert "app/***.py" in run.reports["json"]  # the finding is reported, at its masked path
    assert VALUE not in run.everything()
