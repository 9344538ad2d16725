#!/usr/bin/env bash
# The whole test suite: lint, types, layers, tests. Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== ruff"; ruff check bot tools storage prompts tests bench scripts && ruff format --check bot tools storage prompts tests bench scripts
echo "== mypy"; mypy
echo "== import-linter"; lint-imports
echo "== vulture"; vulture
echo "== pytest"; python -m pytest -q -p no:randomly "$@"
