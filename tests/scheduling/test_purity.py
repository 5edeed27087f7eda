"""scheduling/ stays pure: the standard library and the solver library, nothing else."""

import ast
import sys
from pathlib import Path

import scheduling

ALLOWED = {"ortools", "scheduling"}


def test_scheduling_imports_only_the_standard_library_and_the_solver() -> None:
    for path in Path(scheduling.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in ALLOWED or top in sys.stdlib_module_names or top == "__future__", (
                    f"{path.name} imports {name}")
