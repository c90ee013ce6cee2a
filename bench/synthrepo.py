"""A deterministic synthetic repository (mixed Python/TS/config with a few planted findings) for the scan bench."""

from __future__ import annotations

import random
import string
import subprocess
from collections.abc import Callable
from pathlib import Path

# Share of each file kind, roughly what a web service plus its Next.js front end looks like.
MIX: tuple[tuple[str, float], ...] = (
    (".py", 0.34), (".ts", 0.20), (".tsx", 0.12), (".js", 0.08), (".yaml", 0.10),
    (".json", 0.07), (".md", 0.06), (".env", 0.03),
)
DIRS = {
    ".py": ("app", "app/services", "app/api", "app/models", "workers", "lib/utils"),
    ".ts": ("web/lib", "web/server", "web/hooks", "packages/sdk/src"),
    ".tsx": ("web/components", "web/app", "web/pages"),
    ".js": ("scripts", "web/public/js", "tools"),
    ".yaml": ("deploy", "config", ".github/workflows", "charts/app"),
    ".json": ("config", "web/locales", "fixtures"),
    ".md": ("docs", "docs/adr", "notes"),
    ".env": ("config/env",),
}
WORDS = ("image", "prompt", "user", "order", "cache", "queue", "render", "asset", "style", "upload",
         "session", "report", "billing", "thumbnail", "gallery", "profile", "export", "palette", "batch")

# Fake secrets, never real: random but fixed by the seed, so both sides see the same ones.
_ALNUM = string.ascii_letters + string.digits


def _name(rng: random.Random, parts: int = 2, sep: str = "_") -> str:
    return sep.join(rng.choice(WORDS) for _ in range(parts))


def _camel(rng: random.Random) -> str:
    a, b = rng.choice(WORDS), rng.choice(WORDS)
    return a + b.capitalize()


def _fake_key(rng: random.Random, n: int = 40) -> str:
    return "".join(rng.choice(_ALNUM) for _ in range(n))


def _py_block(rng: random.Random) -> str:
    fn, arg = _name(rng), rng.choice(WORDS)
    kind = rng.randrange(4)
    if kind == 0:
        return (f"def {fn}({arg}: dict, limit: int = {rng.randint(1, 500)}) -> list[str]:\n"
                f'    """Collect the {arg} names, at most `limit`."""\n'
                f"    out = []\n    for key, value in {arg}.items():\n"
                f"        if len(out) >= limit:\n            break\n"
                f'        out.append(f"{{key}}={{value}}")\n    return out\n')
    if kind == 1:
        cls = _camel(rng).capitalize()
        return (f"@dataclass(frozen=True)\nclass {cls}:\n    id: int\n    name: str = \"{rng.choice(WORDS)}\"\n"
                f"    size: int = {rng.randint(0, 4096)}\n\n    def label(self) -> str:\n"
                f'        return f"{{self.name}}-{{self.id}}"\n')
    if kind == 2:
        return (f"async def {fn}(session, {arg}_id: str) -> dict:\n"
                f'    log.info("loading {arg} %s", {arg}_id)\n'
                f'    row = await session.fetch_one("SELECT * FROM {arg} WHERE id = $1", {arg}_id)\n'
                f"    if row is None:\n        raise LookupError({arg}_id)\n    return dict(row)\n")
    return (f"{fn.upper()}_SETTINGS = {{\n    \"retries\": {rng.randint(1, 9)},\n"
            f"    \"ttl_seconds\": {rng.randint(10, 9000)},\n    \"bucket\": \"{_name(rng, 2, '-')}\",\n}}\n")


def _ts_block(rng: random.Random) -> str:
    fn, arg = _camel(rng), rng.choice(WORDS)
    kind = rng.randrange(3)
    if kind == 0:
        return (f"export function {fn}({arg}: Record<string, number>, limit = {rng.randint(1, 99)}): string[] {{\n"
                f"  return Object.entries({arg})\n    .slice(0, limit)\n"
                f"    .map(([k, v]) => `${{k}}=${{v}}`);\n}}\n")
    if kind == 1:
        return (f"export interface {fn.capitalize()} {{\n  id: string;\n  {arg}: number;\n  label?: string;\n}}\n")
    return (f"export async function {fn}(id: string): Promise<unknown> {{\n"
            f"  const res = await db.query('select * from {arg} where id = $1', [id]);\n"
            f"  if (!res.rows.length) throw new Error('{arg} not found');\n  return res.rows[0];\n}}\n")


def _tsx_block(rng: random.Random) -> str:
    comp, arg = _camel(rng).capitalize(), rng.choice(WORDS)
    return (f"export function {comp}({{ {arg} }}: {{ {arg}: string[] }}) {{\n"
            f"  const [open, setOpen] = useState(false);\n  return (\n"
            f"    <div className=\"{arg}-list\" onClick={{() => setOpen(!open)}}>\n"
            f"      {{{arg}.map((x) => <span key={{x}}>{{x}}</span>)}}\n    </div>\n  );\n}}\n")


def _yaml_doc(rng: random.Random, blocks: int) -> str:
    app = _name(rng, 2, "-")
    out = [f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\nspec:\n"
           f"  replicas: {rng.randint(1, 6)}\n  template:\n    spec:\n      containers:\n        - name: {app}\n"
           f"          image: ghcr.io/acme/{app}:1.{rng.randint(0, 40)}\n          env:\n"]
    for _ in range(blocks):
        out.append(f"            - name: {_name(rng).upper()}\n              value: \"{rng.choice(WORDS)}\"\n")
    out.append("          resources:\n            limits:\n              memory: 512Mi\n")
    return "".join(out)


def _json_doc(rng: random.Random, blocks: int) -> str:
    items = ",\n".join(f'  "{_name(rng, 2, ".")}": "{_name(rng, 3, " ")}"' for _ in range(blocks * 3))
    return "{\n" + items + "\n}\n"


def _md_doc(rng: random.Random, blocks: int) -> str:
    paras = []
    for i in range(blocks):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 80)))
        paras.append(f"## {rng.choice(WORDS).capitalize()} {i}\n\n{words.capitalize()}.\n")
    return "\n".join(paras)


def _env_doc(rng: random.Random, blocks: int) -> str:
    values = ("true", "false", str(rng.randint(1, 999)), rng.choice(WORDS))
    return "".join(f"{_name(rng).upper()}={rng.choice(values)}\n" for _ in range(blocks * 2))


GOOD_PY_CLIENT = '''\
import os

import httpx
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential_jitter

IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code in (429, 500, 502, 503, 504)


@retry(retry=retry_if_exception(_retryable), wait=wait_exponential_jitter(1, 30), stop=stop_after_attempt(5))
def generate(prompt: str) -> dict:
    resp = httpx.post(IDEOGRAM_URL, headers={"Api-Key": os.environ["IDEOGRAM_API_KEY"]},
                      json={"prompt": prompt}, timeout=120)
    resp.raise_for_status()
    return resp.json()
'''

BAD_PY_CLIENT = '''\
import requests

API_KEY = "{key}"


def generate(prompt):
    r = requests.post("https://api.ideogram.ai/generate", headers={{"Api-Key": API_KEY}},
                      json={{"image_request": {{"prompt": prompt}}}})
    return r.json()["data"][0]["url"]
'''

BAD_TS_CLIENT = '''\
export async function generateImage(prompt: string) {
  const res = await fetch("https://api.ideogram.ai/generate", {
    method: "POST",
    headers: { "Api-Key": process.env.IDEOGRAM_API_KEY ?? "", "Content-Type": "application/json" },
    body: JSON.stringify({ image_request: { prompt } }),
  });
  const body = await res.json();
  return body.data[0].url;
}
'''

HEADERS = {
    ".py": "from __future__ import annotations\n\nimport logging\nfrom dataclasses import dataclass\n\n"
           "log = logging.getLogger(__name__)\n\n",
    ".ts": "import { db } from './db';\n\n",
    ".tsx": "'use client';\nimport { useState } from 'react';\n\n",
    ".js": "'use strict';\n\n",
}
BODIES: dict[str, Callable[[random.Random], str]] = {
    ".py": _py_block, ".ts": _ts_block, ".tsx": _tsx_block, ".js": _ts_block,
}
DOCS: dict[str, Callable[[random.Random, int], str]] = {
    ".yaml": _yaml_doc, ".json": _json_doc, ".md": _md_doc, ".env": _env_doc,
}


def _content(rng: random.Random, ext: str) -> str:
    blocks = max(1, int(rng.lognormvariate(2.0, 0.7)))  # median ~7 blocks, a long tail of big files
    if ext in DOCS:
        return DOCS[ext](rng, blocks)
    return HEADERS[ext] + "\n\n".join(BODIES[ext](rng) for _ in range(blocks))


def planted(rng: random.Random) -> dict[str, str]:
    """The deliberate findings: two keys, a cloud key, a private key, and Ideogram calls done wrong."""
    aws = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16))
    return {
        "app/services/ideogram_legacy.py": BAD_PY_CLIENT.format(key=_fake_key(rng)),
        "web/lib/ideogram.ts": BAD_TS_CLIENT,
        "app/services/ideogram_client.py": GOOD_PY_CLIENT,
        "config/env/prod.env": f"IDEOGRAM_API_KEY={_fake_key(rng)}\nLOG_LEVEL=info\n",
        "deploy/aws.yaml": f"aws:\n  access_key_id: AKIA{aws}\n  region: eu-west-1\n",
        "docs/ops/signing.md": "# Signing\n\n```\n-----BEGIN RSA PRIVATE KEY-----\n" + _fake_key(rng, 64) +
                               "\n-----END RSA PRIVATE KEY-----\n```\n",
    }


def generate(root: Path, n: int, seed: int = 7) -> list[str]:
    """Write n files under root (git init + one commit) and return their relative paths."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    files = planted(rng)
    exts = [ext for ext, _ in MIX]
    weights = [w for _, w in MIX]
    i = 0
    while len(files) < n:
        ext = rng.choices(exts, weights)[0]
        name = f"{rng.choice(DIRS[ext])}/{_name(rng)}_{i}{ext}"
        files.setdefault(name, _content(rng, ext))
        i += 1
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git = ["git", "-C", str(root), "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "synthetic repository"], check=True)
    return sorted(files)


def change_files(root: Path, files: list[str], count: int = 5, seed: int = 11) -> list[str]:
    """Edit `count` source files in the work tree (one gains a new key), for the --diff-base run."""
    rng = random.Random(seed)
    chosen = rng.sample([f for f in files if f.endswith((".py", ".ts"))], count)
    for k, rel in enumerate(chosen):
        path = root / rel
        text = path.read_text(encoding="utf-8")
        if rel.endswith(".py"):
            extra = f'\n\nIDEOGRAM_TOKEN = "{_fake_key(rng)}"\n' if k == 0 else "\n\n" + _py_block(rng)
        else:
            extra = "\n" + _ts_block(rng)
        path.write_text(text + extra, encoding="utf-8")
    return chosen
