"""The home page's map: a hexagon cartogram of English councils, generated from the registry's centroids.

Layout. Each council's centroid is projected onto a flat plane, then moved by a diffusion cartogram (Gastner and
Newman, PNAS 2004) until councils are evenly spread: London's boroughs get room without tearing the map, and
sparse rural areas close up. Each council then takes one hex of a pointy-top grid in "odd-r" offset coordinates
(q = column, r = row, r increasing northwards, odd rows half a hex to the right, as in ODI Leeds' HexJSON), chosen
to minimise the total squared displacement over all councils. No map file is read or copied.

Drawing. `map_svg` writes the layout as inline SVG in which every hex is a link with an accessible name; colours
come from CSS classes given by the caller (the site's Content-Security-Policy forbids inline styles).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from markupsafe import Markup, escape

from ombuds.errors import OmbudsError
from ombuds.registry import Authority, Registry, registry_of
from ombuds.schemes import Scheme, load_scheme
from ombuds.years import Year

Cell = tuple[int, int]

ROW_STEP = math.sqrt(3) / 2  # between the rows of a grid of pointy-top hexes one unit wide; also a hex's area
GRID = 128  # density cells along each side of the cartogram's square
FILL = 0.5  # the share of that side the map's longer extent takes; the rest is sea, which holds the coast in place
LAND_REACH = 1.2  # a density cell is land within this many local spacings (the 3rd neighbour's distance) of a council
LOCAL_NEIGHBOUR = 3
MAX_MOVE = 0.5  # density cells a council may move in one step of the flow
CANDIDATE_REACH = 1.5  # hex widths: the grid cells a council may be given lie this close to some moved centroid

HEX_RADIUS = 10.0  # SVG user units from a hex's centre to a corner
MARGIN = 2.0
_CLASS = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]*$")


class MapError(OmbudsError):
    """The map cannot be drawn from the registry as it stands (a council with no centroid at all)."""


@dataclass(frozen=True)
class HexLayout:
    """Where each council of a tier sits in a year. `cells` maps GSS code → (q, r); q runs from 0 to `columns` - 1
    and r from 0 to `rows` - 1 (row 0 may be empty: moving rows by an odd number would change the odd-r geometry)."""

    tier: str
    year: Year
    cells: dict[str, Cell]
    columns: int
    rows: int

    def centre(self, code: str) -> tuple[float, float]:
        """The SVG position of a council's hex (north at the top)."""
        q, r = self.cells[code]
        width = math.sqrt(3) * HEX_RADIUS
        x = MARGIN + width * (q + 0.5 * (r & 1) + 0.5)
        y = MARGIN + HEX_RADIUS + 1.5 * HEX_RADIUS * (self.rows - 1 - r)
        return x, y

    @property
    def view_box(self) -> tuple[float, float]:
        """Width and height of the SVG's viewBox, which starts at (0, 0)."""
        width = math.sqrt(3) * HEX_RADIUS * (self.columns + 0.5) + 2 * MARGIN
        height = 1.5 * HEX_RADIUS * (self.rows - 1) + 2 * HEX_RADIUS + 2 * MARGIN
        return width, height


@dataclass(frozen=True)
class MapHex:
    """What the caller says about one council's hex. `href`, `label` and `short` are text (escaped when drawn);
    `colour_class` is one CSS class name such as "band-3" or "band-none"."""

    code: str
    href: str
    label: str
    colour_class: str
    short: str | None = None
    marked: bool = False  # a dot in the middle: the figure rests on too few cases to colour


# Hex grid geometry (odd-r offset coordinates)

def offset_to_cube(cell: Cell) -> tuple[int, int, int]:
    q, r = cell
    x = q - (r - (r & 1)) // 2
    return x, -x - r, r


def hex_distance(a: Cell, b: Cell) -> int:
    """Steps between two hexes."""
    return max(abs(i - j) for i, j in zip(offset_to_cube(a), offset_to_cube(b), strict=True))


def hex_neighbours(cell: Cell) -> list[Cell]:
    """The six hexes touching `cell`: odd rows are shifted right, so their diagonal neighbours are q and q + 1."""
    q, r = cell
    left = q if r & 1 else q - 1
    return [(q - 1, r), (q + 1, r), (left, r - 1), (left + 1, r - 1), (left, r + 1), (left + 1, r + 1)]


# Which councils

def tier_councils(year: Year, tier: str, scheme: Scheme) -> tuple[Authority, ...]:
    """The councils of a tier (one of the scheme's map views) in a year, by code. A council abolished during the
    year gives way to a successor that exists on the year's last day."""
    tiers = {view.id: view.types for view in scheme.map_views}
    if tier not in tiers:
        raise ValueError(f"unknown tier {tier!r}: expected one of {', '.join(tiers)}")
    current = [a for a in registry_of(scheme) if a.type in tiers[tier] and a.current_in(year)]
    on_last_day = {a.code for a in current if a.existed_on(year.end)}
    return tuple(a for a in sorted(current, key=lambda a: a.code)
                 if a.code in on_last_day or not on_last_day.intersection(a.successors))


# Where they are

def council_centroid(authority: Authority, year: Year, bodies: Registry) -> tuple[float, float]:
    """(lat, long) from the registry `bodies` (a county's there is the mean of its districts'). A council with none
    takes its successors' mean, or else its predecessors'. `year` is unused: a council's centroid does not change."""
    found = _own_or_related_centroid(authority, frozenset(), bodies)
    if found is None:
        raise MapError(f"{authority.name} ({authority.code}) has no centroid in the registry, nor do its successors "
                       "or predecessors: add its lat/long to the registry to place it on the map")
    return found


def _own_or_related_centroid(authority: Authority, seen: frozenset[str],
                             bodies: Registry) -> tuple[float, float] | None:
    if authority.lat is not None and authority.long is not None:
        return authority.lat, authority.long
    seen = seen | {authority.code}
    for related in (authority.successors, authority.predecessors):
        found = [_own_or_related_centroid(bodies.get(code), seen, bodies) for code in related if code not in seen]
        points = [point for point in found if point is not None]
        if points:
            return float(np.mean([p[0] for p in points])), float(np.mean([p[1] for p in points]))
    return None


def _project(points: list[tuple[float, float]]) -> np.ndarray:
    """(lat, long) → (x, y) with x east and y north, in degrees of latitude: near enough equal-area for England."""
    lat = np.array([p[0] for p in points])
    long = np.array([p[1] for p in points])
    return np.column_stack([long * math.cos(math.radians(lat.mean())), lat])


def _separate_duplicates(xy: np.ndarray) -> np.ndarray:
    """Councils that share a centroid (predecessors placed at their successor's) are set on a small circle
    around it, in code order, so the layout has something to tell them apart by."""
    xy = xy.copy()
    groups: dict[tuple[float, float], list[int]] = {}
    for index, point in enumerate(map(tuple, xy)):
        groups.setdefault(point, []).append(index)
    distinct = np.array(list(groups))
    for point, members in groups.items():
        if len(members) < 2:
            continue
        gaps = np.hypot(*(distinct - np.array(point)).T)
        others = gaps[gaps > 0]
        radius = 0.25 * (others.min() if len(others) else 1.0)
        for k, index in enumerate(members):
            angle = math.pi / 2 + 2 * math.pi * k / len(members)
            xy[index] = (point[0] + radius * math.cos(angle), point[1] + radius * math.sin(angle))
    return xy


# The cartogram

def _cartogram(xy: np.ndarray) -> np.ndarray:
    """Positions evenly spread at one council per hex, in hex widths."""
    low, high = xy.min(axis=0), xy.max(axis=0)
    points = (xy - (low + high) / 2) * (FILL * GRID / (high - low).max()) + GRID / 2
    density, land = _density(points)
    moved = _flow(points, density)
    return moved * math.sqrt(ROW_STEP * len(points) / land)


def _density(points: np.ndarray) -> tuple[np.ndarray, int]:
    """Each council's unit of mass spread over its Voronoi cell on a GRID × GRID raster, clipped to the land near
    the councils; the sea has the land's mean density, so the coast neither swells nor shrinks. Returns the
    density and the number of land cells."""
    from scipy.spatial import cKDTree  # here, not at the top: scipy takes 0.4 s to import, and most builds draw no map

    centres = np.indices((GRID, GRID)).reshape(2, -1).T + 0.5
    tree = cKDTree(points)
    spacing = tree.query(points, k=min(LOCAL_NEIGHBOUR + 1, len(points)))[0][:, -1]
    distance, nearest = tree.query(centres)
    land = distance <= np.maximum(LAND_REACH * spacing[nearest], 1.0)  # a council's own raster cell is always land
    area = np.bincount(nearest[land], minlength=len(points))
    density = np.full(GRID * GRID, len(points) / land.sum())
    density[land] = 1.0 / area[nearest[land]]  # a land cell counts towards its nearest council: never 0
    for index in np.flatnonzero(area == 0):  # too small for a raster cell of its own: its mass where it stands
        i, j = np.clip(points[index].astype(int), 0, GRID - 1)
        density[i * GRID + j] += 1.0
    return density.reshape(GRID, GRID), int(land.sum())


def _flow(points: np.ndarray, density: np.ndarray) -> np.ndarray:
    """Carry the points along the velocity field -∇ρ/ρ of the density diffusing towards uniform (reflecting edges,
    solved exactly in cosine modes), by the midpoint method, until the slowest mode has faded."""
    from scipy.fft import dctn, idctn
    from scipy.ndimage import map_coordinates

    modes = dctn(density, type=2)
    wave = (np.pi * np.arange(GRID) / GRID) ** 2
    decay = wave[:, None] + wave[None, :]

    def velocity(at: np.ndarray, t: float) -> np.ndarray:
        rho = idctn(modes * np.exp(-decay * t), type=2)
        slope_x, slope_y = np.gradient(rho)
        where = [at[:, 0] - 0.5, at[:, 1] - 0.5]
        return np.column_stack([map_coordinates(-slope_x / rho, where, order=1, mode="nearest"),
                                map_coordinates(-slope_y / rho, where, order=1, mode="nearest")])

    t, step, end = 0.0, 0.01, 3 * (GRID / np.pi) ** 2
    while t < end:
        start = velocity(points, t)
        step = min(step * 1.2, MAX_MOVE / max(np.abs(start).max(), 1e-12))
        points = points + step * velocity(points + 0.5 * step * start, t + 0.5 * step)
        t += step
    return points


def _assign(points: np.ndarray) -> list[Cell]:
    """Each point's hex: the assignment of points to distinct grid cells with the least total squared
    displacement, among the cells near enough to some point."""
    from scipy.optimize import linear_sum_assignment

    points = points - points.min(axis=0) + 2.0
    columns = int(points[:, 0].max()) + 4
    rows = int(points[:, 1].max() / ROW_STEP) + 4
    r, q = np.divmod(np.arange(rows * columns), columns)
    centres = np.column_stack([q + 0.5 * (r & 1), r * ROW_STEP])
    squared = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    reach = CANDIDATE_REACH
    while (usable := squared.min(axis=0) <= reach**2).sum() < len(points):
        reach += 0.5
    chosen = np.flatnonzero(usable)
    council, cell = linear_sum_assignment(squared[:, chosen])
    placed = dict(zip(council.tolist(), chosen[cell].tolist(), strict=True))
    return [(int(q[placed[i]]), int(r[placed[i]])) for i in range(len(points))]


def hex_layout(year: Year, tier: str, scheme: Scheme) -> HexLayout:
    """The map of a tier's councils in a year. Deterministic; cached per scheme folder, so treat the result as
    read-only."""
    return _hex_layout(year, tier, scheme.folder)


@lru_cache(maxsize=32)
def _hex_layout(year: Year, tier: str, folder: Path) -> HexLayout:
    scheme = load_scheme(folder)
    councils = tier_councils(year, tier, scheme)
    xy = _separate_duplicates(_project([council_centroid(a, year, registry_of(scheme)) for a in councils]))
    cells = _cells(xy.tobytes(), len(councils))
    return HexLayout(tier=tier, year=year, cells={a.code: cell for a, cell in zip(councils, cells, strict=True)},
                     columns=max(q for q, _ in cells) + 1, rows=max(r for _, r in cells) + 1)


@lru_cache(maxsize=32)
def _cells(points: bytes, count: int) -> tuple[tuple[int, int], ...]:
    """The hexes of `count` points (their projected centroids as bytes), from the top left: computed once for the
    same points, which most years share (councils change only with a reorganisation)."""
    cells = _assign(_cartogram(np.frombuffer(points).reshape(count, 2)))
    q_low = min(q for q, _ in cells)
    r_low = min(r for _, r in cells) // 2 * 2  # an even shift keeps every row's parity
    return tuple((q - q_low, r - r_low) for q, r in cells)


def inset_layout(year: Year, scheme: Scheme) -> HexLayout | None:
    """The bodies of the scheme's inset type alone (`[map.inset]`: the LGSCO's London boroughs, with the City), laid
    out the same way: the home page's inset, where each hex is large enough to carry a label; None without one."""
    return None if scheme.map_inset is None else _inset_layout(year, scheme.folder)


@lru_cache(maxsize=16)
def _inset_layout(year: Year, folder: Path) -> HexLayout:
    scheme = load_scheme(folder)
    inset = scheme.map_inset
    view = next(v.id for v in scheme.map_views if inset.type in v.types)
    members = tuple(a for a in tier_councils(year, view, scheme) if a.type == inset.type)
    xy = _separate_duplicates(_project([council_centroid(a, year, registry_of(scheme)) for a in members]))
    cells = _cells(xy.tobytes(), len(members))
    return HexLayout(tier=inset.id, year=year, cells={a.code: c for a, c in zip(members, cells, strict=True)},
                     columns=max(q for q, _ in cells) + 1, rows=max(r for _, r in cells) + 1)


def abbreviations(names: Mapping[str, str]) -> dict[str, str]:
    """Code → a short label of at most three letters from each name: the initials of a name of several words
    ("Kensington and Chelsea" → "KC"), else its first three letters; where two would be the same, the first letter
    and the next two consonants of each, then its first letter and last two letters."""
    def first(name: str) -> str:
        words = [w for w in name.replace("-", " ").split() if w[0].isupper()]
        return "".join(w[0] for w in words)[:3] if len(words) > 1 else name[:3]

    def consonants(name: str) -> str:
        rest = [c for c in name[1:].lower() if c.isalpha() and c not in "aeiou"]
        return name[0] + "".join(rest[:2])

    labels = {code: first(name) for code, name in names.items()}
    for fallback in (consonants, lambda name: name[0] + name[-2:].lower()):
        clashes = {label for label in labels.values() if list(labels.values()).count(label) > 1}
        labels = {code: fallback(names[code]) if label in clashes else label for code, label in labels.items()}
    return labels


# Drawing

def map_svg(layout: HexLayout, hexes: Mapping[str, MapHex], *, title: str, description: str,
            highlight: str | None = None, id_prefix: str | None = None, css_class: str = "hex-map") -> Markup:
    """The layout as inline SVG: one link per council, in reading order (north to south, west to east), each named
    by its hex's label. `hexes` must cover every council of the layout (others are ignored); `highlight` marks one
    council's hex with the class "hex-highlight" and draws its outline again on top of its neighbours.
    `id_prefix` makes the title and description ids unique when a page shows the same map twice."""
    missing = sorted(set(layout.cells) - set(hexes))
    if missing:
        raise ValueError(f"no hex given for {len(missing)} councils of the map: {', '.join(missing[:10])}")
    if highlight is not None and highlight not in layout.cells:
        raise ValueError(f"cannot highlight {highlight}: it is not on the {layout.tier} tier map of {layout.year}")
    prefix = id_prefix or f"hex-map-{layout.tier}-{layout.year.label}"
    if not _ID.match(prefix):
        raise ValueError(f"id_prefix {prefix!r} is not a usable element id")
    width, height = layout.view_box
    order = sorted(layout.cells, key=lambda code: (-layout.cells[code][1], layout.cells[code][0]))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" viewBox="0 0 {width:.2f} {height:.2f}" '
        f'role="group" aria-labelledby="{prefix}-title {prefix}-desc" data-tier="{escape(layout.tier)}" '
        f'data-year="{escape(layout.year.label)}">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(description)}</desc>',
        *(_hex_link(layout, hexes[code], highlighted=code == highlight) for code in order),
    ]
    if highlight is not None:
        parts.append(f'<polygon class="hex-highlight-outline" points="{_corners(layout, highlight)}" '
                     'aria-hidden="true"/>')
    parts.append("</svg>")
    return Markup("\n".join(parts))


def _hex_link(layout: HexLayout, hex_: MapHex, *, highlighted: bool) -> str:
    if not _CLASS.match(hex_.colour_class):
        raise ValueError(f"colour class {hex_.colour_class!r} of {hex_.code} is not a single CSS class name")
    classes = f"hex {hex_.colour_class}" + (" hex-highlight" if highlighted else "")
    inner = [f"<title>{escape(hex_.label)}</title>",
             f'<polygon class="{classes}" points="{_corners(layout, hex_.code)}"/>']
    if hex_.marked:
        x, y = layout.centre(hex_.code)
        inner.append(f'<circle class="hex-mark" cx="{x:.2f}" cy="{y:.2f}" r="2.5" aria-hidden="true"/>')
    if hex_.short:
        x, y = layout.centre(hex_.code)
        inner.append(f'<text class="hex-short hex-short--{hex_.colour_class}" x="{x:.2f}" y="{y:.2f}" '
                     f'text-anchor="middle" dominant-baseline="central" aria-hidden="true">{escape(hex_.short)}</text>')
    return (f'<a href="{escape(hex_.href)}" aria-label="{escape(hex_.label)}" data-code="{escape(hex_.code)}">'
            + "".join(inner) + "</a>")


def _corners(layout: HexLayout, code: str) -> str:
    """A pointy-top hexagon's corners, clockwise from the top."""
    x, y = layout.centre(code)
    corners = []
    for k in range(6):
        angle = math.radians(-90 + 60 * k)
        corners.append(f"{x + HEX_RADIUS * math.cos(angle):.2f},{y + HEX_RADIUS * math.sin(angle):.2f}")
    return " ".join(corners)
