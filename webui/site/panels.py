"""How the search page lays the facets out: short lists with "show more", and the months of
the date facet as bars of a small chart.

The counts come from the search (webui.core.facets); this module only arranges them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.schema import NO_DATE

SHOWN = 8  # values listed before "show more"
MORE = 30  # values behind "show more"; the person box finds the others
CHART_MAX_MONTHS = 180  # longer spans are drawn a bar per year
CHART_HEIGHT = 48


@dataclass
class FacetPanel:
    """One facet as listed: the first values, the ones behind "show more", and whether the
    index holds further values than these (for the person facet, found with its search box)."""

    head: list[dict]
    more: list[dict] = field(default_factory=list)
    truncated: bool = False


def panel(items: list[dict], shown: int = SHOWN, more: int = MORE) -> FacetPanel:
    """Split facet values (most frequent first, as search() returns ``MORE + 1`` of them).

    Selected values always stay in the head, so a selection is never hidden.
    """
    top, beyond = items[:more], items[more:]
    head = [item for n, item in enumerate(top) if n < shown or item["selected"]]
    rest = [item for n, item in enumerate(top) if n >= shown and not item["selected"]]
    head += [item for item in beyond if item["selected"]]
    return FacetPanel(head, rest, truncated=any(not item["selected"] for item in beyond))


# -- the date facet as a chart ---------------------------------------------------------------


@dataclass
class Bar:
    value: str  # "2017-03", or "2017" when the chart has a bar per year
    count: int
    selected: bool
    x: int
    height: float


def month_bars(months: list[dict]) -> list[Bar]:
    """A bar per month from the first dated month to the last, empty months included.

    ``months`` is the date facet of a search: {"value": "2017-03", "count": 2, "selected": ...}.
    """
    counts = {m["value"]: m["count"] for m in months if m["value"] != NO_DATE and m["count"]}
    selected = {m["value"] for m in months if m["selected"]}
    if not counts:
        return []
    first, last = min(counts), max(counts)
    keys = _month_range(first, last)
    if len(keys) > CHART_MAX_MONTHS:
        years: dict[str, int] = {}
        for key, count in counts.items():
            years[key[:4]] = years.get(key[:4], 0) + count
        keys = [str(y) for y in range(int(first[:4]), int(last[:4]) + 1)]
        counts = years
    peak = max(counts.values())
    return [
        Bar(key, counts.get(key, 0), key in selected or key[:4] in selected, x,
            round(CHART_HEIGHT * counts.get(key, 0) / peak, 1))
        for x, key in enumerate(keys)
    ]


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
