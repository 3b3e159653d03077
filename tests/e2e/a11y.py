"""axe-core in the browser: the helper the accessibility tests share (issue 27).

axe-core is vendored under tests/e2e/vendor/ (see the README there) and injected into the page
with ``page.add_script_tag(path=...)``: nothing is loaded from the internet.
"""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERIOUS = {"serious", "critical"}


def axe_violations(page):
    """Run axe-core on the current page with the WCAG 2.1 A/AA rules; return its violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                     resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
                count: v.nodes.length,
            }));
        }""",
        WCAG_TAGS,
    )


class AxeReport:
    """Collects the violations of many pages into one readable assertion message."""

    def __init__(self):
        self.pages = []
        self.problems = []

    def check(self, page, label, only=None):
        """Scan the page; ``only`` limits what counts as a failure to these impacts."""
        violations = axe_violations(page)
        self.pages.append(label)
        for v in violations:
            if only is None or v["impact"] in only:
                self.problems.append((label, v))
        return violations

    def message(self):
        lines = [f"{len(self.problems)} axe violation(s) on {len(self.pages)} pages checked:"]
        for label, v in self.problems:
            lines.append(
                f"- {label}: {v['id']} ({v['impact']}, {v['count']} node(s)) {v['help']}"
                f" -> {'; '.join(v['targets'])}"
            )
        return "\n".join(lines)
