"""Attack family: bytes that are not UTF-8 (a stray \\xff, a latin-1 file, UTF-16/32, a NUL) must not hide a
file from the secrets scan: each key is found, and the file counts as read only because it was read."""

from __future__ import annotations

import codecs
from pathlib import Path

from tests.adversarial.hostile import KEY, assert_not_passed, gate, hostile_repo

CHECK = "secret-ideogram-key"
LINE = f'IDEOGRAM_API_KEY = "{KEY}"\n'

FILES: dict[str, bytes] = {
    "latin1.py": "# configuración del cliente\n".encode("latin-1") + b"# \xff\xfe\n" + LINE.encode(),
    "stray_ff.py": b"x = 1  # \xff\n" + LINE.encode(),
    "utf16_bom.py": ("# generated\n" + LINE).encode("utf-16"),
    "utf16_be_bom.py": codecs.BOM_UTF16_BE + ("# generated\n" + LINE).encode("utf-16-be"),
    "utf16_nobom.py": ("# generated\n" + LINE).encode("utf-16-le"),
    "utf32_bom.py": ("# generated\n" + LINE).encode("utf-32"),
    "utf8_bom.py": codecs.BOM_UTF8 + LINE.encode(),
    "after_nul.py": b"blob = '\x00\x01\x02'\n" + LINE.encode(),
    "nul_then_ff.env": b"\x00\xff\xfe\x00garbage\n" + f"IDEOGRAM_API_KEY={KEY}\n".encode(),
    # In a binary: a PNG text chunk, and a UTF-16 string in an executable-looking blob.
    "assets/logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x01\x00" + b"\x00\x00\x00\x40tEXtComment\x00"
                       + f'ideogram_api_key="{KEY}"'.encode() + b"\x00\xae\x42\x60\x82" * 64,
    "bin/tool": b"\x7fELF\x02\x01\x01\x00" * 32 + f"IDEOGRAM_API_KEY={KEY}".encode("utf-16-le") + b"\x00\x00\xff" * 32,
}


def test_keys_in_files_that_are_not_utf8_fail_the_gate(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, dict(FILES))
    run = gate(repo, "--select", CHECK)
    assert_not_passed(run, CHECK)
    found = {f["location"]["path"] for f in run.report["findings"]}  # type: ignore[index]
    assert found == set(FILES)
    result = next(r for r in run.report["results"] if r["check_id"] == CHECK)  # type: ignore[index, union-attr]
    if result.get("files"):
        assert result["files"]["read"] == len(FILES)


def test_a_file_that_cannot_be_read_is_an_error_not_a_pass(tmp_path: Path) -> None:
    """Unreadable (a FIFO where git lists a file would hang; a permission-less file is the portable case)."""
    import os

    from checker.errors import ToolError
    from checker.tools import secrets

    repo = hostile_repo(tmp_path, {"ok.py": "x = 1\n", "locked.py": LINE})
    (repo / "locked.py").chmod(0)
    try:
        if os.access(repo / "locked.py", os.R_OK):  # root reads anything: delete the file instead
            (repo / "locked.py").unlink()
        try:
            secrets.scan(repo, ["ok.py", "locked.py"])
        except ToolError as exc:
            assert "could not read 1 file(s)" in str(exc)
            assert KEY not in str(exc)
        else:
            raise AssertionError("an unreadable file passed as scanned")
    finally:
        if (repo / "locked.py").exists():
            (repo / "locked.py").chmod(0o644)
