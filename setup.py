"""Maps the top-level folders into the ``nanoedit`` namespace (``planner/`` -> ``nanoedit.planner``).

Metadata lives in pyproject.toml; only the folder mapping, which pyproject cannot compute, is here.
"""

from pathlib import Path

from setuptools import find_packages, setup

ROOT = Path(__file__).parent
SUBPACKAGES = ["graphs", "planner", "experts", "fusion", "backbone", "evals"]


def _packages():
    packages = {"nanoedit": "nanoedit"}
    for sub in find_packages(where="nanoedit"):
        packages[f"nanoedit.{sub}"] = f"nanoedit/{sub.replace('.', '/')}"
    for folder in SUBPACKAGES:
        packages[f"nanoedit.{folder}"] = folder
        for sub in find_packages(where=folder):
            packages[f"nanoedit.{folder}.{sub}"] = f"{folder}/{sub.replace('.', '/')}"
    return packages


PACKAGES = _packages()
setup(packages=list(PACKAGES), package_dir=PACKAGES)
