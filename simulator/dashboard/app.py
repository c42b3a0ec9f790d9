"""The dashboard's page: four tabs (Scenario, Run, Compare, Sweeps and analysis). `rwa-sim dashboard` serves it;
`solara run simulator.dashboard.app` does too."""

from __future__ import annotations

import solara
import solara.lab

from simulator.dashboard.browse_view import BrowseTab
from simulator.dashboard.compare_view import CompareTab
from simulator.dashboard.run_view import RunTab
from simulator.dashboard.scenario_view import ScenarioTab

# readable at 1280x800: body text at 15 px, fields no wider than a line of their hint
CSS = """
.v-application { font-size: 15px; }
.v-input { max-width: 760px; }
.v-expansion-panel-header { font-weight: 600; }
"""


@solara.component
def Page() -> None:
    solara.Title("gba-rwa-sim dashboard")
    solara.Style(CSS)
    with solara.Column(style={"padding": "12px 20px", "max-width": "1600px"}):
        # plain HTML, not solara.Markdown: that loads KaTeX, which solara-assets does not ship (offline: no CDN)
        solara.HTML(tag="h1", unsafe_innerHTML="gba-rwa-sim: what-if runs of RWA tokenization across the GBA border",
                    style={"font-size": "1.6em", "font-weight": "500", "margin": "8px 0"})
        with solara.lab.Tabs(lazy=True):
            with solara.lab.Tab("Scenario"):
                ScenarioTab()
            with solara.lab.Tab("Run"):
                RunTab()
            with solara.lab.Tab("Compare"):
                CompareTab()
            with solara.lab.Tab("Sweeps and analysis"):
                BrowseTab()
