"""Human-readable `meshform check` output: what failed, where (stack, resource, construct path), and the fix."""
from __future__ import annotations

from meshform.check.runner import EnvironmentResult


def render(results: list[EnvironmentResult], skips: dict) -> tuple[str, bool]:
    lines: list[str] = []
    for r in results:
        lines.append(f"{r.environment}: {len(r.stacks)} stacks, {r.synthesized} resources synthesized, "
                     f"{r.evaluated} evaluated; checks passed {r.passed}, failed {len(r.failed)}, "
                     f"skipped {r.skipped}  (reports: {r.reports})")
        for f in sorted(r.failed, key=lambda f: (f.stack, f.address, f.check_id)):
            lines.append(f"  FAILED {f.check_id}  {f.check_name}")
            lines.append(f"         stack {f.stack}  resource {f.address}")
            lines.append(f"         construct {f.construct_path or '?'}")
            for detail in f.details:
                lines.append(f"         detail: {detail}")
            if f.fix:
                lines.append(f"         fix: {f.fix}")
        for error in r.parsing_errors:
            lines.append(f"  PARSING ERROR {error}")
        if r.not_evaluated:
            lines.append(f"  NOT EVALUATED by checkov ({len(r.not_evaluated)} resources; the scan is incomplete):")
            lines += [f"         {item}" for item in r.not_evaluated[:20]]
        for policy in r.missing_policies:
            lines.append(f"  POLICY NOT RUN {policy}: it exists in policies/checks but produced no result "
                         "(failed to load? see checkov.log in the reports folder)")
    ok = all(r.ok for r in results)
    if skips:
        lines.append(f"skipped built-in checks ({len(skips)}, reasons in policies/checkov-skips.yaml): "
                     + ", ".join(sorted(skips)))
    total_failed = sum(len(r.failed) for r in results)
    lines.append(f"{'PASSED' if ok else 'FAILED'}: {total_failed} failed checks in {len(results)} environment(s)")
    return "\n".join(lines), ok
