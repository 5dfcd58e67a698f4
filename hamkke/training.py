"""Train the Rasa model when it is missing or older than its training data.

``python -m hamkke.training`` compares a fingerprint of the training data
(config, domain, nlu/, stories/ and the Rasa lock file) with the one stored
beside the model, and runs ``rasa train`` only when they differ.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Optional

from hamkke.config import PROJECT_ROOT

RASA_BIN = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_PYTHON = RASA_BIN.with_name("python")
DATA_DIRS = ("nlu", "stories")


def rasa_env() -> dict[str, str]:
    """The environment Rasa commands run with (no telemetry: no network here)."""
    env = dict(os.environ)
    env["RASA_TELEMETRY_ENABLED"] = "false"
    # Custom NLU components (nlu_components/) are imported from the project.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def _files(root: Path, config: Path, domain: Path, data: Iterable[Path]) -> list[Path]:
    files = [config, domain, root / "requirements" / "rasa.lock"]
    # The project's own NLU components count only for a config that uses them:
    # rasa init's pipeline (make eval's baseline) is not retrained when they change.
    if "nlu_components." in config.read_text(encoding="utf-8"):
        files += sorted((root / "nlu_components").glob("*.py"))
        # The standard-library modules those components import.
        files += [root / "hamkke" / "folding.py", root / "hamkke" / "scripts.py"]
    for directory in data:
        files.extend(sorted(p for p in directory.rglob("*") if p.is_file()))
    return files


def fingerprint(config: Path, domain: Path, data: Iterable[Path], root: Path = PROJECT_ROOT) -> str:
    """A hash of everything the model is trained from."""
    digest = hashlib.sha256()
    for path in _files(root, config, domain, data):
        digest.update(str(path.relative_to(root) if path.is_relative_to(root) else path).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_model(
    config: Path = PROJECT_ROOT / "config.yml",
    domain: Path = PROJECT_ROOT / "domain.yml",
    data: Optional[list[Path]] = None,
    out: Path = PROJECT_ROOT / "models",
    name: str = "hamkke",
    force: bool = False,
) -> Path:
    """Return the path of an up-to-date model, training it if needed."""
    data = data or [PROJECT_ROOT / d for d in DATA_DIRS]
    model = out / f"{name}.tar.gz"
    stamp = out / f"{name}.fingerprint"
    want = fingerprint(config, domain, data)
    if not force and model.exists() and stamp.exists() and stamp.read_text().strip() == want:
        shown = model.relative_to(PROJECT_ROOT) if model.is_relative_to(PROJECT_ROOT) else model
        print(f"==> Model {shown} is up to date")
        return model
    print(f"==> Training the Rasa model ({name}); this takes a few minutes on 2 cores")
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    cmd = [
        str(RASA_BIN), "train", "--config", str(config), "--domain", str(domain),
        "--data", *[str(d) for d in data], "--out", str(out), "--fixed-model-name", name, "--force",
    ]
    log_path = out / f"{name}.train.log"
    with log_path.open("w") as log:
        result = subprocess.run(cmd, cwd=PROJECT_ROOT, env=rasa_env(), stdout=log, stderr=subprocess.STDOUT)
    if result.returncode != 0 or not model.exists():
        tail = log_path.read_text(errors="replace").splitlines()[-30:]
        print("\n".join(tail), file=sys.stderr)
        raise SystemExit(f"rasa train failed (exit {result.returncode}); log: {log_path}")
    stamp.write_text(want + "\n")
    print(f"==> Trained {name} in {time.monotonic() - started:.0f} s")
    return model


def main(argv: Optional[list[str]] = None) -> None:
    """Command line: ``python -m hamkke.training [--force]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, default=PROJECT_ROOT / "config.yml")
    parser.add_argument("--domain", type=Path, default=PROJECT_ROOT / "domain.yml")
    parser.add_argument("--data", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "models")
    parser.add_argument("--name", default="hamkke")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    ensure_model(args.config, args.domain, args.data, args.out, args.name, args.force)


if __name__ == "__main__":
    main()
