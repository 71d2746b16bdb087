"""Writes src/waitroom/_sync_client.py from src/waitroom/_async_client.py (the async client is the
source; the sync one is the same code without ``async``/``await``). Run after editing the async
client: ``python scripts/unasync.py``; ``--check`` fails when the committed file is stale."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src" / "waitroom"
SOURCE = ROOT / "_async_client.py"
TARGET = ROOT / "_sync_client.py"

HEADER = '''"""The sync client. GENERATED from ``_async_client.py`` by ``scripts/unasync.py``: do not edit."""
'''

SUBS = [
    (r"\basync def\b", "def"),
    (r"\bawait ", ""),
    (r"\basync for\b", "for"),
    (r"\basync with\b", "with"),
    (r"\basync_sleep\b", "sync_sleep"),
    (r"__aiter__", "__iter__"),
    (r"__anext__", "__next__"),
    (r"__aenter__", "__enter__"),
    (r"__aexit__", "__exit__"),
    (r"\baclose\b", "close"),
    (r"\baread\b", "read"),
    (r"\baiter_lines\b", "iter_lines"),
    (r"\bStopAsyncIteration\b", "StopIteration"),
    (r"\bAsyncIterator\b", "Iterator"),
    (r"\b_AsyncThread\b", "_Thread"),
    (r"\bAsync([A-Z]\w*)", r"\1"),
]


def generate() -> str:
    text = SOURCE.read_text(encoding="utf-8")
    # The module docstring is replaced by the header.
    text = re.sub(r'\A""".*?"""\n', HEADER, text, count=1, flags=re.S)
    # Blocks only the async client has.
    text = re.sub(r"\n[ \t]*# --- async only ---\n.*?# --- end ---\n", "", text, flags=re.S)
    for pattern, replacement in SUBS:
        text = re.sub(pattern, replacement, text)
    return text


def main() -> int:
    out = generate()
    if "--check" in sys.argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != out:
            print(f"{TARGET} is stale: run python scripts/unasync.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(out, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
