"""`python -m meshform.ci_summary REPORTS_DIR`: the JUnit reports of `meshform check` (reports/checkov/<env>/
results_junitxml.xml) as a markdown summary for a CI job page (GitHub's $GITHUB_STEP_SUMMARY): per environment the
checks run, passed, failed and skipped, and every failure with its stack, resource and how to fix it. Reads only
the XML meshform itself writes (meshform/check/report_files.py); exits 1 when there is no report at all, so a CI
step never publishes an empty summary as if all were well."""
from __future__ import annotations

import sys
import xml.etree.ElementTree as ET  # only the XML meshform itself writes (not untrusted input)
from pathlib import Path

REPORT = "results_junitxml.xml"


def summarize(reports: Path) -> str | None:
    files = sorted(reports.glob(f"*/{REPORT}"))
    if not files:
        return None
    out = ["## meshform check", "", "| environment | checks | passed | failed | skipped |",
           "| --- | --- | --- | --- | --- |"]
    failures: list[str] = []
    for file in files:
        env = file.parent.name
        root = ET.parse(file).getroot()
        total = failed = skipped = 0
        for suite in root.iter("testsuite"):
            for case in suite.iter("testcase"):
                total += 1
                failure = case.find("failure")
                if failure is not None:
                    failed += 1
                    failures.append(f"| {env} | {_cell(suite.get('name', ''))} | {_cell(case.get('classname', ''))} "
                                    f"| {_cell(case.get('name', ''))} | {_cell(failure.text or '')} |")
                elif case.find("skipped") is not None:
                    skipped += 1
        out.append(f"| {env} | {total} | {total - failed - skipped} | {failed} | {skipped} |")
    if failures:
        out += ["", "### Failed checks", "", "| environment | check | stack | resource | details |",
                "| --- | --- | --- | --- | --- |", *failures]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    reports = Path(args[0] if args else "reports/checkov")
    text = summarize(reports)
    if text is None:
        print(f"ci_summary: no {REPORT} under {reports}/<env>/ (did meshform check or build run?)", file=sys.stderr)
        return 1
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
