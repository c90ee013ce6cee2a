"""Attack family: code the rule pack cannot read the usual way (one ~1 MB minified line) must still fail the gate,
by a finding or by an error, never pass."""

from __future__ import annotations

import pytest

from tests.adversarial.hostile import assert_not_passed, gate, hostile_repo

PAD = 990_000  # just under semgrep's default --max-target-bytes (1,000,000), then just over it


def bundle_line(pad: int) -> str:
    """One line of a minified bundle: a long string literal, then the key sent to the console."""
    return (f'const __PAD__="{"a" * pad}";'
            'export function boot(){console.log("ideogram key",process.env.IDEOGRAM_API_KEY);}\n')


@pytest.mark.parametrize("pad", [PAD, 1_200_000], ids=["under-1MB", "over-1MB"])
@pytest.mark.parametrize("where", ["head", "tail"])
def test_key_logged_on_a_one_megabyte_line_does_not_pass(tmp_path, pad, where):
    line = bundle_line(pad)
    if where == "tail":  # the Ideogram words come first, the padding after them
        line = ('export function boot(){console.log("ideogram key",process.env.IDEOGRAM_API_KEY);}'
                f'const __PAD__="{"a" * pad}";\n')
    repo = hostile_repo(tmp_path, {"src/bundle.js": line})
    run = gate(repo, "--select", "code-ideogram-key-logged")
    assert_not_passed(run, "code-ideogram-key-logged")


def test_key_logged_in_go_on_a_long_line_does_not_pass(tmp_path):
    pad = "a" * PAD
    src = ('package main\n\nimport (\n\t"log"\n\t"os"\n)\n\n'
           f'var pad = "{pad}"; func main() {{ log.Printf("ideogram key %s", os.Getenv("IDEOGRAM_API_KEY")) }}\n')
    repo = hostile_repo(tmp_path, {"cmd/gen/main.go": src})
    run = gate(repo, "--select", "code-ideogram-key-logged")
    assert_not_passed(run, "code-ideogram-key-logged")


@pytest.mark.parametrize("junk", [b"# caf\xe9 - r\xe9sum\xe9 (latin-1)\n", b"# stray byte \xff\xfe here\n"],
                         ids=["latin-1", "stray-bytes"])
def test_key_logged_in_a_file_that_is_not_utf8_does_not_pass(tmp_path, junk):
    """semgrep reads nothing from a source file that is not UTF-8 and says so nowhere: the gate must not pass it."""
    src = (b"import os\n" + junk + b"IDEOGRAM_API_KEY = os.environ['IDEOGRAM_API_KEY']\n\n\ndef boot():\n"
           b"    print(f\"Using Ideogram key {IDEOGRAM_API_KEY}\")\n")
    repo = hostile_repo(tmp_path, {"service/boot.py": src})
    run = gate(repo, "--select", "code-ideogram-key-logged")
    assert_not_passed(run, "code-ideogram-key-logged")
    assert "service/boot.py:7" in run.stdout, run.stdout[-2000:]
