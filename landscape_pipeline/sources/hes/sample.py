"""Generator of an artificial record-level HES APC extract of any size (seeded, streamed, numpy-vectorised).

The layout is NHS England's Artificial HES APC layout (https://digital.nhs.uk/services/artificial-data),
column for column: the 193 columns of :data:`.layout.ARTIFICIAL_APC_COLUMNS` in the published order,
those the pipeline reads filled (FYEAR as ``1920``, ISO dates, ADMIMETH as text, codes such as
``C341`` / ``C61X``, residence as GSS codes in ``RESLADST_ONS``), the rest left blank. Values are
synthetic: residence proportional to the bundled ONS population with an area-level relative risk,
cancer-enriched diagnoses (the kind of
cohort a DARS cancer extract holds), realistic shares of unfinished and non-first episodes,
emergency/elective methods, unknown sex, infant age codes, retired, blank and non-English residence
codes. Rows are generated and written in chunks, so memory stays flat for any ``--episodes``.

    python -m landscape_pipeline.sources.hes.sample --episodes 5000000 --out /tmp/hes.csv
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from landscape_pipeline import geography
from landscape_pipeline.paths import data_sources_dir
from landscape_pipeline.sources.hes.layout import ARTIFICIAL_APC_COLUMNS
from landscape_pipeline.sources.ons_population.sample import build_population

SEED = 20261125
DEFAULT_EPISODES = 120_000
CHUNK = 250_000
FINANCIAL_YEARS: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023)
BUNDLED_NAME = "artificial_hes_apc_sample.csv.gz"
COLUMNS = ARTIFICIAL_APC_COLUMNS
#: The columns the generator fills (all others are blank, as many are in the published files).
FILLED = ("FYEAR", "EPIKEY", "ADMIDATE", "ADMIMETH", "CLASSPAT", "DIAG_3_01", "DIAG_3_CONCAT", "DIAG_4_01",
          "DIAG_4_CONCAT", "DIAG_COUNT", "EPIEND", "EPIORDER", "EPISTART", "EPISTAT", "PROCODE3", "RESGOR_ONS",
          "RESLADST_ONS", "SEX", "STARTAGE")

#: Diagnosis groups: (share of episodes, emergency probability, male share, ICD-10 3-char codes).
_GROUPS = {
    "lung": (0.10, 0.35, 0.52, ["C34"] * 9 + ["C33"]),
    "breast": (0.13, 0.05, 0.01, ["C50"]),
    "bowel": (0.10, 0.25, 0.55, ["C18"] * 6 + ["C19"] + ["C20"] * 3),
    "prostate": (0.08, 0.12, 1.0, ["C61"]),
    "haematological": (0.12, 0.20, 0.56, ["C81", "C82", "C83", "C85", "C90", "C91", "C92", "C92", "C90", "C83"]),
    "other_cancer": (0.32, 0.28, 0.50, ["C15", "C16", "C22", "C25", "C43", "C53", "C54", "C56", "C64", "C67", "C71",
                                        "C73", "C78", "C79", "C80", "C01", "C32", "C45", "C49", "C62"]),
    "non_melanoma_skin": (0.04, 0.03, 0.55, ["C44"]),
    "non_cancer": (0.11, 0.45, 0.48, ["D05", "D12", "D37", "D48", "Z51", "R10", "K57", "N39", "J18", "I50"]),
}
#: Codes with no fourth character take the HES filler "X".
_NO_SUBDIVISION = {"C19", "C20", "C33", "C52", "C55", "C56", "C61", "C64", "C73", "C97"}
_EMERGENCY = (["21", "22", "23", "24", "25", "28", "2A", "2B", "2C", "2D"],
              [0.55, 0.12, 0.04, 0.05, 0.02, 0.12, 0.04, 0.04, 0.01, 0.01])
_ELECTIVE = (["11", "12", "13"], [0.06, 0.10, 0.84])
_OTHER = (["31", "81", "82", "83", "98"], [0.15, 0.60, 0.15, 0.05, 0.05])
_PROVIDERS = ["RKB", "RRK", "RTH", "RJ1", "RGT", "RM1", "RWE", "RX1", "RHM", "R0A", "RTD", "RR8", "RHQ", "RA7", "RYJ"]


class _Universe:
    """Fixed lookups of the generator: areas, weights, code vocabularies (all as Arrow dictionaries)."""

    def __init__(self, seed: int):
        rng = np.random.default_rng(seed)
        las = geography.as_frame().set_index("area_code")
        pop = build_population()
        pop = pop[pop["ladcode25"].str.startswith("E")].groupby("ladcode25")["population_2022"].sum()
        self.codes = np.asarray(pop.index)
        self.region = las.loc[self.codes, "region_code"].to_numpy()
        self.weight = pop.to_numpy(float) * rng.lognormal(0, 0.15, len(pop))
        self.weight /= self.weight.sum()
        self.emergency_odds = rng.lognormal(0, 0.25, len(pop))
        retired = geography.retired_codes()
        retired = retired[retired["change"].isin(["merge", "recode"]) & retired["retired_code"].str.startswith("E")]
        predecessor = dict(zip(retired["successor_codes"], retired["retired_code"], strict=False))
        self.predecessor = np.array([predecessor.get(c, c) for c in self.codes], dtype=object)
        self.foreign = np.array(["W06000015", "W06000022", "S12000049", "S12000036", "W06000011"], dtype=object)
        self.groups = list(_GROUPS)
        self.group_p = np.array([g[0] for g in _GROUPS.values()])
        self.group_p /= self.group_p.sum()


def _pick(rng: np.random.Generator, options: tuple[list[str], list[float]], n: int) -> np.ndarray:
    return np.asarray(options[0], dtype=object)[rng.choice(len(options[0]), n, p=options[1])]


def _diagnoses(rng: np.random.Generator, group: np.ndarray, u: _Universe) -> tuple[np.ndarray, np.ndarray]:
    code3 = np.empty(group.size, dtype=object)
    for g, name in enumerate(u.groups):
        sel = group == g
        vocab = _GROUPS[name][3]
        code3[sel] = np.asarray(vocab, dtype=object)[rng.integers(0, len(vocab), int(sel.sum()))]
    digit = np.asarray(list("0123456789"), dtype=object)[rng.choice(10, group.size, p=[.2, .1, .1, .1, .05, .05,
                                                                                         .05, .05, .1, .2])]
    fourth = np.where(np.isin(code3, list(_NO_SUBDIVISION)), "X", digit)
    return code3, code3 + fourth


def _chunk(rng: np.random.Generator, n: int, u: _Universe, first_key: int) -> pa.Table:
    """Return ``n`` artificial episodes as an Arrow table with the COLUMNS of the extract."""
    area = rng.choice(len(u.codes), n, p=u.weight)
    group = rng.choice(len(u.groups), n, p=u.group_p)
    params = np.array([_GROUPS[g][1:3] for g in u.groups])
    odds = params[group, 0] / (1 - params[group, 0]) * u.emergency_odds[area]
    emergency = rng.random(n) < odds / (1 + odds)
    other = ~emergency & (rng.random(n) < 0.08)
    method = np.where(emergency, _pick(rng, _EMERGENCY, n), np.where(other, _pick(rng, _OTHER, n),
                                                                     _pick(rng, _ELECTIVE, n)))
    male = rng.random(n) < params[group, 1]
    sex = np.where(rng.random(n) < 0.006, np.where(rng.random(n) < 0.5, 9, 0), np.where(male, 1, 2))
    cancer = group < 7
    age = np.where(cancer, np.clip(rng.normal(67, 14, n), 0, 104), rng.integers(0, 96, n)).astype(np.int64)
    age = np.where(rng.random(n) < 0.002, rng.integers(7001, 7008, n), age)
    age_missing = rng.random(n) < 0.002
    code3, code4 = _diagnoses(rng, group, u)
    residence = u.codes[area].astype(object)
    roll = rng.random(n)
    residence = np.where(roll < 0.010, u.predecessor[area], residence)
    residence = np.where((roll >= 0.010) & (roll < 0.015), "", residence)
    residence = np.where((roll >= 0.015) & (roll < 0.018), u.foreign[rng.integers(0, len(u.foreign), n)], residence)
    residence = np.where((roll >= 0.018) & (roll < 0.020), "E99999999", residence)
    order = rng.choice([1, 2, 3, 4], n, p=[0.82, 0.12, 0.04, 0.02])
    fy_index = rng.integers(0, len(FINANCIAL_YEARS), n)
    april = np.array([f"{y}-04-01" for y in FINANCIAL_YEARS], dtype="datetime64[D]")
    end = april[fy_index] + rng.integers(0, 365, n)
    start = end - np.where(emergency, rng.geometric(0.2, n) - 1, rng.geometric(0.6, n) - 1)
    admitted = start - (order - 1) * rng.integers(1, 4, n)
    classpat = np.where(emergency | (rng.random(n) < 0.35), 1, 2)
    fyear = np.array([f"{y % 100:02d}{(y + 1) % 100:02d}" for y in FINANCIAL_YEARS], dtype=object)[fy_index]
    filled = {
        "FYEAR": fyear,
        "EPIKEY": (np.arange(first_key, first_key + n, dtype=np.int64) * 104_729 + 3 * 10**9) % (9 * 10**11) + 10**11,
        "ADMIDATE": pa.array(admitted, pa.date32()), "ADMIMETH": method, "CLASSPAT": classpat, "DIAG_3_01": code3,
        "DIAG_3_CONCAT": code3, "DIAG_4_01": code4, "DIAG_4_CONCAT": code4, "DIAG_COUNT": np.ones(n, dtype=np.int64),
        "EPIEND": pa.array(end, pa.date32()), "EPIORDER": order,
        "EPISTART": pa.array(start, pa.date32()), "EPISTAT": np.where(rng.random(n) < 0.985, 3, 1),
        "PROCODE3": np.asarray(_PROVIDERS, dtype=object)[rng.integers(0, len(_PROVIDERS), n)],
        "RESGOR_ONS": np.where(residence == "", "", u.region[area]).astype(object), "RESLADST_ONS": residence,
        "SEX": sex, "STARTAGE": pa.array(age, mask=age_missing),
    }
    return pa.table({c: filled[c] if c in filled else pa.nulls(n, pa.string()) for c in COLUMNS})


def write_extract(path: Path, episodes: int, *, seed: int = SEED, chunk: int = CHUNK) -> Path:
    """Write ``episodes`` artificial episodes to ``path`` (.csv, or gzip when it ends in .gz) in chunks."""
    rng = np.random.default_rng(seed)
    universe = _Universe(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    sink = pa.CompressedOutputStream(str(path), "gzip") if path.suffix == ".gz" else pa.OSFile(str(path), "wb")
    options = pacsv.WriteOptions(quoting_style="none", include_header=False)
    schema = _chunk(np.random.default_rng(0), 1, universe, 0).schema
    with sink, pacsv.CSVWriter(sink, schema, write_options=options) as writer:
        sink.write((",".join(COLUMNS) + "\n").encode())
        for start in range(0, episodes, chunk):
            writer.write_table(_chunk(rng, min(chunk, episodes - start), universe, start + 1))
    return path


def main(argv: list[str] | None = None) -> None:
    """Command line: ``--episodes N --out FILE`` (defaults rewrite the bundled sample)."""
    parser = argparse.ArgumentParser(description="Write an artificial record-level HES APC extract.")
    parser.add_argument("--episodes", type=int, default=DEFAULT_EPISODES)
    parser.add_argument("--out", type=Path, default=data_sources_dir() / "hes" / BUNDLED_NAME)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    path = write_extract(args.out, args.episodes, seed=args.seed)
    print(f"Wrote {args.episodes:,} episodes to {path} ({path.stat().st_size:,} bytes) "
          f"in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
