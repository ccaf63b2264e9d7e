"""The layers: the document model (tasktui/doc/) imports only itself, the
standard library and third-party packages, never the rest of tasktui and never
Textual; the headless modules (storage, watching, the session, the CLI ...)
import no Textual, so scripts, agents and tests use them without it."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from support import REPO

PACKAGE = REPO / "tasktui"
HEADLESS = ["tasktui.doc", "tasktui.storage.store", "tasktui.storage.watch", "tasktui.storage.timer", "tasktui.core.outline", "tasktui.core.fmt",
            "tasktui.doc.repair", "tasktui.storage.config", "tasktui.cli", "tasktui.core.session", "tasktui.core.tasksfile",
            "tasktui.doc.safetext", "tasktui.core.editor", "tasktui.core.gcpause", "tasktui.doc.edits", "tasktui.doc.rollup",
            "tasktui.core.loader", "tasktui.core.history", "tasktui.doc.query", "tasktui.doc.ready", "tasktui.core.editthread"]


def imports_of(path, package: str | None = None) -> set[str]:
    """Every module a file imports (absolute names; relative imports resolved
    against ``package``, by default the file's own package in the repository)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if package is None:
        package = ".".join(path.relative_to(REPO).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                found.add(f"{base}.{node.module}" if node.module else base)
            else:
                found.add(node.module)
    return found


DOC_FILES = sorted((PACKAGE / "doc").rglob("*.py"))


@pytest.mark.parametrize("path", DOC_FILES, ids=[str(p.relative_to(PACKAGE)) for p in DOC_FILES])
def test_the_model_imports_only_itself_and_third_party_packages(path, package=None):
    for name in imports_of(path, package):
        top = name.split(".")[0]
        if top == "tasktui":
            assert name.startswith("tasktui.doc"), f"{path.name} imports {name}: doc/ may import only doc/"
        assert top not in ("textual", "rich"), f"{path.name} imports {name}"


def test_the_rule_can_fail(tmp_path):
    """The checker sees an upward import (the mistake it is there for)."""
    bad = tmp_path / "_probe_upward.py"  # outside the source tree: a parallel run never collects it
    bad.write_text("from tasktui import store\nfrom .. import session\nimport textual.app\n", encoding="utf-8")
    assert imports_of(bad, "tasktui.doc") == {"tasktui", "textual.app"}  # `from .. import` is tasktui itself
    with pytest.raises(AssertionError):
        test_the_model_imports_only_itself_and_third_party_packages(bad, "tasktui.doc")
    fine = tmp_path / "_probe_fine.py"
    fine.write_text("from tasktui.doc import model\nfrom . import states\nimport markdown_it\n", encoding="utf-8")
    test_the_model_imports_only_itself_and_third_party_packages(fine, "tasktui.doc")


# The packages by layer, lowest first: each may import the layers before it, never
# one after it. The app (ui), the command line (cli) and the MCP server (mcp) are
# siblings at the top: the command line starts the app (cli.launch imports ui lazily)
# and the server (`tasktui mcp` imports mcp lazily).
LAYERS = {
    "tasktui.doc": set(),
    "tasktui.storage": {"tasktui.doc"},
    "tasktui.core": {"tasktui.doc", "tasktui.storage"},
    "tasktui.ui": {"tasktui.doc", "tasktui.storage", "tasktui.core"},
    "tasktui.cli": {"tasktui.doc", "tasktui.storage", "tasktui.core", "tasktui.ui", "tasktui.mcp"},
    "tasktui.mcp": {"tasktui.doc", "tasktui.storage", "tasktui.core"},
}
PACKAGE_FILES = sorted(p for p in PACKAGE.rglob("*.py") if len(p.relative_to(PACKAGE).parts) > 1)


def layer_of(module: str) -> str | None:
    return next((name for name in LAYERS if module == name or module.startswith(name + ".")), None)


@pytest.mark.parametrize("path", PACKAGE_FILES, ids=[str(p.relative_to(PACKAGE)) for p in PACKAGE_FILES])
def test_each_package_imports_only_the_layers_below_it(path, package=None):
    own = layer_of(package or ".".join(path.relative_to(REPO).with_suffix("").parts[:-1]))
    assert own is not None, f"{path.relative_to(PACKAGE)} is in no layer: add its package to LAYERS"
    for name in imports_of(path, package):
        if name.split(".")[0] != "tasktui" or name in ("tasktui",):
            continue
        other = layer_of(name)
        assert other is not None or name == "tasktui.__version__", f"{path.name} imports {name}, which is in no layer"
        assert other in (own, None) or other in LAYERS[own], f"{path.name} ({own}) imports {name} ({other})"


def test_the_package_rule_can_fail(tmp_path):
    bad = tmp_path / "_probe_layer.py"
    bad.write_text("from tasktui.ui.app import TaskTuiApp\n", encoding="utf-8")
    with pytest.raises(AssertionError):
        test_each_package_imports_only_the_layers_below_it(bad, "tasktui.core")
    test_each_package_imports_only_the_layers_below_it(bad, "tasktui.cli")


def test_the_top_level_holds_packages_not_modules():
    """A layout that shows the architecture: at most 8 modules directly in tasktui/."""
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(modules) <= 8, modules


TEST_FILES = sorted((REPO / "tests").glob("test_*.py"))


@pytest.mark.parametrize("path", TEST_FILES, ids=[p.name for p in TEST_FILES])
def test_no_test_module_imports_another(path):
    """Shared helpers live in tests/support.py (or fixtures), never in a test module."""
    others = {p.stem for p in TEST_FILES}
    bad = sorted(n for n in imports_of(path, "tests") if n.split(".")[0] in others)
    assert not bad, f"{path.name} imports {bad}: move what it needs into tests/support.py"


@pytest.fixture(scope="session")
def textual_brought_in() -> dict[str, list[str]]:
    """For each headless module, imported one after another in one fresh process: the
    Textual modules that appeared while it was imported. A module that imports Textual,
    directly or through another, is named at its own import or at the import of a
    module before it that imports it too (one process, not one per module: the same
    finding, in a fraction of the time)."""
    code = ("import importlib, json, sys\n"
            "def textual():\n"
            "    return {m for m in sys.modules if m.split('.')[0] == 'textual'}\n"
            "out = {}\n"
            f"for name in {HEADLESS!r}:\n"
            "    before = textual()\n"
            "    importlib.import_module(name)\n"
            "    out[name] = sorted(textual() - before)\n"
            "print(json.dumps(out))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_modules_do_not_import_textual(module, textual_brought_in):
    assert textual_brought_in[module] == [], f"{module} imports Textual: {textual_brought_in[module][:5]}"


def test_read_only_commands_do_not_import_textual(tmp_path):
    path = tmp_path / "tasks.md"
    path.write_bytes(b"# T\n\n- [ ] a\n- [x] b\n")
    code = ("import sys\nfrom tasktui import cli\n"
            f"for argv in (['list', {str(path)!r}], ['status', {str(path)!r}, '--json'], ['next', {str(path)!r}],"
            f" ['toggle', {str(path)!r}, 'a']):\n"
            "    assert cli.main(argv) == 0\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual')\n"
            "assert not bad, bad\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
