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


# -- the date facet: selected values kept, and a chart ------------------------------------------


def with_selected_dates(items: list[dict], selected: tuple[str, ...], years: bool = False
                        ) -> list[dict]:
    """The date facet (months, or ``years``) with every selected value listed, 0 if need be.

    A chosen month no other filter leaves an article in still applies: it stays in sight.
    """
    listed = {item["value"] for item in items}
    wanted = {value[:4] if years and value != NO_DATE else value for value in selected}
    if not years:
        wanted = {value for value in wanted if len(value) == 7}
    added = [{"value": value, "count": 0, "selected": value in selected}
             for value in wanted - listed]
    # newest first, undated last, as the core lists them
    return sorted(items + added, key=lambda i: (i["value"] != NO_DATE, i["value"]), reverse=True)


@dataclass
class Bar:
    value: str  # "2017-03", or "2017" when the chart has a bar per year
    count: int
    selected: bool
    x: int
    height: float


# The chart is drawn in the units of its viewBox, which is as wide as the filter column in CSS
# pixels, so that its text keeps its size: bars on the right of the count axis, years under them.
CHART_WIDTH = 272
CHART_LEFT = 18  # the count axis, widened for a peak of more digits
AXIS_DIGIT_WIDTH = 7  # room a digit of the axis's numbers takes
CHART_TOP = 8
CHART_BOTTOM = CHART_TOP + CHART_HEIGHT  # the base line
CHART_VIEW_HEIGHT = CHART_BOTTOM + 28  # years, and their totals, under the bars
MIN_SLOTS = 12  # a short span keeps slim bars: at least a year's worth of slots
LABEL_WIDTH = 26  # room a year's label needs ("2017", or its total under it)
COUNT_ON_BAR_WIDTH = 16  # bars this wide carry their count


@dataclass
class Label:
    """A year under the chart, centred under its bars, with its number of articles."""

    x: float
    text: str
    total: int


@dataclass
class Chart:
    bars: list[Bar]
    per: str  # "tháng" or "năm": what one bar counts
    peak: int
    slot: float  # the width of one bar's slot
    labels: list[Label]
    counts_on_bars: bool
    width: int = CHART_WIDTH
    left: int = CHART_LEFT
    top: int = CHART_TOP
    bottom: int = CHART_BOTTOM
    height: int = CHART_VIEW_HEIGHT

    def bar_x(self, bar: Bar) -> float:
        return round(self.left + bar.x * self.slot, 2)

    def bar_top(self, bar: Bar) -> float:
        return round(self.bottom - max(bar.height, 2), 2)


def month_chart(months: list[dict]) -> Chart | None:
    """The date facet as a labelled bar chart, or None when no article is dated."""
    bars = month_bars(months)
    if not bars:
        return None
    by_month = len(bars[0].value) == 7
    peak = max(b.count for b in bars)
    left = max(CHART_LEFT, 6 + AXIS_DIGIT_WIDTH * len(f"{peak:,}"))
    slot = (CHART_WIDTH - left - 2) / max(len(bars), MIN_SLOTS if by_month else 1)
    groups: dict[str, list[Bar]] = {}
    for bar in bars:
        groups.setdefault(bar.value[:4], []).append(bar)
    labels: list[Label] = []
    half = LABEL_WIDTH / 2
    for year, group in groups.items():
        middle = left + (group[0].x + group[-1].x + 1) / 2 * slot
        middle = min(max(middle, left + half), CHART_WIDTH - half)
        # a year too close to the one before it (a short span of months, or a bar per year
        # over decades) goes without a label rather than over its neighbour's
        if labels and middle - labels[-1].x < LABEL_WIDTH + 2:
            continue
        labels.append(Label(round(middle, 2), year, sum(b.count for b in group)))
    return Chart(bars, "tháng" if by_month else "năm", peak, slot, labels,
                 counts_on_bars=slot >= COUNT_ON_BAR_WIDTH, left=left)


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
