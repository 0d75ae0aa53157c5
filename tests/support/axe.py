"""axe-core, the accessibility engine browsers' audits use, run on a Playwright page: each violation as one line
naming the rule, its impact, the help text and the first elements it was found on."""

from axe_playwright_python.sync_playwright import Axe

AXE = Axe()


def violations(page) -> list[str]:
    results = AXE.run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]]
