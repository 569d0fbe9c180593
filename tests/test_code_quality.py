"""The project's own code checks, run by `make test`: ruff (lint + import order), mypy (types), and the import
boundary that keeps `meshform validate` fast — validation never imports jsii, cdktf or modules/."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    result = _run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing():
    result = _run(str(BIN / "mypy"))          # files and options: [tool.mypy] in pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr


def test_validation_never_imports_the_cdktf_side(tmp_path):
    """spec -> model must stay importable without jsii: `meshform validate`, `access`, `preflight` and the
    checks' mesh facts run in well under a second because they never load the CDKTF bindings."""
    probe = (
        "import sys\n"
        "from meshform.cli import main\n"
        f"code = main(['--root', {str(REPO)!r}, 'validate'])\n"
        "import meshform.access, meshform.lake_settings, meshform.preflight, meshform.check.mesh_facts\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'jsii', 'cdktf', 'constructs', 'modules',\n"
        "                                                         'cdktf_cdktf_provider_aws'})\n"
        "print('LOADED', loaded, 'EXIT', code)\n"
    )
    result = _run(sys.executable, "-c", probe)
    assert "LOADED [] EXIT 0" in result.stdout, result.stdout + result.stderr


def _construct_classes():
    """(file, class node, __init__ node) of every Construct subclass in modules/constructs/."""
    import ast

    for path in sorted((REPO / "modules" / "constructs").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and any(ast.unparse(b) == "Construct" for b in node.bases):
                init = next(n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__")
                yield path.relative_to(REPO), node, init


def test_every_construct_documents_and_types_its_inputs():
    """The construct API a newcomer reads (modules/README.md, "Construct conventions"): a class docstring with Args
    (every input by name, or its props dataclass) and Attributes; every input annotated, dependencies as
    `Dependencies` and policy statements as `Statement`s, never a bare list or dict."""
    import ast

    problems = []
    classes = list(_construct_classes())
    for path, cls, init in classes:
        doc = ast.get_docstring(cls) or ""
        where = f"{path}::{cls.name}"
        if "Args" not in doc or "Attributes" not in doc:
            problems.append(f"{where}: the class docstring needs Args and Attributes")
        params = [*init.args.args[3:], *init.args.kwonlyargs]        # after self, scope, id_
        for param in params:
            annotation = ast.unparse(param.annotation) if param.annotation is not None else None
            if annotation is None:
                problems.append(f"{where}: {param.arg} has no type annotation")
                continue
            if annotation in ("list", "dict", "Any") or "list[dict" in annotation or "dict[str, Any]" in annotation:
                problems.append(f"{where}: {param.arg} is a bare {annotation}")
            if param.arg in ("after", "depends_on") and "Dependencies" not in annotation:
                problems.append(f"{where}: {param.arg} must be typed Dependencies, not {annotation}")
            if "statements" in param.arg and "Statement" not in annotation:
                problems.append(f"{where}: {param.arg} must be typed as Statements, not {annotation}")
            documented = param.arg in doc or (param.arg == "props" and "Props" in doc)
            if not documented:
                problems.append(f"{where}: {param.arg} is not described in the class docstring's Args")
    assert len(classes) >= 35, classes               # the walk found the constructs
    assert problems == [], "\n".join(problems)


def test_the_concept_map_names_every_construct_and_only_tests_that_exist():
    """modules/README.md answers "where is X and what proves it" by name: every construct file is in it, and every
    `test_file.py::test_name` it cites (`::name` continues the file before; `name*` a prefix) exists."""
    import ast
    import re

    text = (REPO / "modules" / "README.md").read_text()
    tests = {p.name: {n.name for n in ast.walk(ast.parse(p.read_text())) if isinstance(n, ast.FunctionDef)}
             for p in (REPO / "tests").glob("test_*.py")}
    wrong = []
    for line in text.splitlines():
        current = None
        for match in re.finditer(r"`(test_\w+\.py)?(?:::(\w+)(\*)?)?`", line):
            file, name, prefix = match.groups()
            current = file or current
            if file and file not in tests:
                wrong.append(file)
            elif name and current in tests and not any(
                    n.startswith(name) if prefix else n == name for n in tests[current]):
                wrong.append(f"{current}::{name}")
    constructs = REPO / "modules" / "constructs"
    unmapped = [str(p.relative_to(constructs)) for p in sorted(constructs.rglob("*.py")) if p.name != "__init__.py"
                and f"`{p.relative_to(constructs)}`" not in text and f"`{p.name}`" not in text]
    assert wrong == [] and unmapped == [], (wrong, unmapped)


def test_section_references_name_sections_that_exist():
    """`README, "Environment spec"` / `docs/x.md, "Decisions"` in code, comments and docs: the quoted section is a
    heading (or a bold paragraph title) of that file, so a newcomer can follow every pointer."""
    import re

    reference = re.compile(r"(README(?:\.md)?|docs/[a-z_-]+\.md|modules/README\.md)[,:]? ['\"“]([^'\"”]{3,60})['\"”]")
    listed = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    titles: dict[str, list[str]] = {}
    dangling = []
    for name in listed:
        skipped = name.startswith(("tests/policy_fixtures/", "node_modules/", "tests/test_code_quality.py"))
        if skipped or not name.endswith((".py", ".md", ".yaml", ".yml", ".json", ".toml", ".txt")) or not (
                REPO / name).is_file():
            continue
        for match in reference.finditer((REPO / name).read_text(errors="replace")):
            target = "README.md" if match.group(1).startswith("README") else match.group(1)
            if target not in titles:
                path = REPO / target
                text = path.read_text() if path.is_file() else ""
                titles[target] = [line.lstrip("#").strip().lower() for line in text.splitlines()
                                  if line.startswith("#")] + [t.lower() for t in re.findall(r"^\*\*([^*]+)\*\*", text,
                                                                                           re.MULTILINE)]
            section = re.sub(r"[\s#]+", " ", match.group(2)).strip().lower()      # titles wrap across lines
            if not any(section in title for title in titles[target]):
                dangling.append(f"{name}: {match.group(0)}")
    assert dangling == [], "\n".join(dangling)
