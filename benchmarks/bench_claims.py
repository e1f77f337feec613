"""Claims checking: CPU seconds to check N claims (the shipped example claims repeated under
new ids, as a paste into the explorer's claims tab would hold them) against every official
edition, and claims per CPU second.

Needs the official data at ``../shared/data/official/``. Usage::

    .venv/bin/python benchmarks/bench_claims.py [--claims 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import yaml

from channelsim.claims import check_claims, editions_from_files
from channelsim.claims.model import claims_from_text

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared/data/official"
EXAMPLES = sorted((ROOT / "examples" / "claims").glob("*.yaml"))


def claims_text(n: int) -> str:
    """``n`` claims: the shipped examples in turn, each copy with its own id (a file's
    ``as_of`` given to its claims that lack one)."""
    shipped = []
    for path in EXAMPLES:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        shipped += [{"as_of": loaded["as_of"], **c} if "as_of" in loaded else c
                    for c in loaded["claims"]]  # fmt: skip
    claims = [{**shipped[i % len(shipped)], "id": f"claim-{i}"} for i in range(n)]
    return yaml.safe_dump({"claims": claims}, allow_unicode=True, sort_keys=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    editions = editions_from_files(sorted(DATA.glob("*.ods")))
    text = claims_text(args.claims)
    times = []
    for _ in range(args.repeat):
        began = time.process_time()
        check_claims(claims_from_text(text, "pasted claims"), editions)  # as the explorer
        times.append(time.process_time() - began)
    best = min(times)
    print(
        f"{args.claims} claims against {len(editions.dates)} editions: best {best:.2f} CPU s "
        f"of {args.repeat} ({', '.join(f'{t:.2f}' for t in times)}); "
        f"{args.claims / best:,.0f} claims per CPU s"
    )


if __name__ == "__main__":
    main()
