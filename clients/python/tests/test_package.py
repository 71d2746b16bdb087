"""The package as users get it: the sync client is generated from the async one and current,
``python -m build`` makes a wheel and an sdist with the right files, and the typed marker ships."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import waitroom

ROOT = Path(__file__).resolve().parent.parent


def test_the_sync_client_is_generated_from_the_async_one_and_current():
    run = subprocess.run([sys.executable, "scripts/unasync.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_python_m_build_makes_a_wheel_and_an_sdist(tmp_path):
    # --no-isolation: the build backend (hatchling) is pinned in the test environment.
    run = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    wheel = next(tmp_path.glob(f"waitroom-{waitroom.__version__}-py3-none-any.whl"))
    sdist = next(tmp_path.glob(f"waitroom-{waitroom.__version__}.tar.gz"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for module in ("__init__", "_async_client", "_sync_client", "webhooks", "langchain", "openai_agents"):
        assert f"waitroom/{module}.py" in names
    assert "waitroom/py.typed" in names
    assert not any(n.startswith("tests/") for n in names)
    metadata = zipfile.ZipFile(wheel).read(f"waitroom-{waitroom.__version__}.dist-info/METADATA").decode()
    assert "Requires-Python: >=3.9" in metadata
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert [r for r in requires if "extra ==" not in r] == ["Requires-Dist: httpx<1,>=0.25"]
    assert any("langchain-core" in r and "extra == 'langchain'" in r for r in requires)
    assert any("openai-agents" in r and "extra == 'openai-agents'" in r for r in requires)
    members = tarfile.open(sdist).getnames()
    assert f"waitroom-{waitroom.__version__}/src/waitroom/py.typed" in members
    assert f"waitroom-{waitroom.__version__}/README.md" in members
