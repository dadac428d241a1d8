"""Write synthetic HACE workbooks in two of the publisher's layouts (seeded: the same bytes every run).

No HACE results workbook is held in any public repository we could reach, so the bundled edition is
SYNTHETIC, written in the exact layout of the results file Public Health Scotland prepares for the
Scottish Government (``pnn_output_sg.xlsx``, written by ``04.significance_tests.R`` of
Public-Health-Scotland/health-and-care-experience-survey-2023): one sheet, header on row 1, one row
per level (Scotland, Health Board, HSCP, GPCL, GP) x report area x percent-positive question, with
unweighted counts, weighted counts and percentages, the weighted 95% limits and design effect, the
earlier editions' results, flags and response rates. The 2021/22 edition of that file lacks the
``wgt_percentpositive_2022`` column (:data:`FOR_SG_COLUMNS`).

The second layout (:func:`for_list_sheets`) is the HSCP results file PHS's integration-indicator code
reads (``HSCP_2022_final_results_For_LIST.xlsx``: data on the second sheet, partnership names but no
codes, year-suffixed columns); it is used by the tests of the 2021/22 layout. All figures are
invented: counts are multinomial draws around seed shares, weighted percentages are perturbed from
them, and boards and Scotland are sums of their partnerships.

Run ``python -m landscape_pipeline.sources.hace.sample [DATA_SOURCES]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from landscape_pipeline import geography, paths
from landscape_pipeline.geography import scotland
from landscape_pipeline.sources.hace.questions import QUESTIONS, Question
from landscape_pipeline.sources.jsna.xlsx import write_workbook

BUNDLED_EDITION = "2023_24"
BUNDLED_FILE = "hace_2023_24_results_for_sg.xlsx"
HISTORY = {"2023_24": ("2022", "2020", "2018", "2016", "2014"), "2021_22": ("2020", "2018", "2016", "2014")}
SMALL = {"S37000022", "S37000026", "S37000031"}  # the island partnerships: few responses
#: Invented GP practices and clusters (level GP / GPCL rows show the workbook's finer levels).
PRACTICES = {"10001": ("Example Medical Practice A", "Dundee North East"),
             "10002": ("Example Medical Practice B", "Dundee North East"),
             "20001": ("Example Health Centre C", "Glasgow North West 1"),
             "20002": ("Example Surgery D", "Glasgow North West 1")}


def for_sg_columns(edition: str) -> list[str]:
    """Return the header of PHS's results file for the Scottish Government in ``edition``."""
    history = [f"wgt_percentpositive_{year}" for year in HISTORY[edition]]
    return ["level", "report_area", "report_area_name", "question", "question_text", "surveysection",
            "n_includedresponses", "n_positive", "n_neutral", "n_negative",
            "n_wgt_includedresponses", "n_wgt_positive", "n_wgt_neutral", "n_wgt_negative",
            "wgt_percentpositive", "wgt_percentpositive_low", "wgt_percentpositive_upp",
            "wgt_percentpositive_deff", "wgt_percentneutral", "wgt_percentnegative", *history,
            "scot_flag", "time_flag", "nat_n_includedresponses", "nat_wgt_percentpositive",
            "forms_completed", "sample_pop", "Response_Rate_perc"]


FOR_SG_COLUMNS = {edition: for_sg_columns(edition) for edition in HISTORY}


def _question_code(edition: str, index: int) -> str:
    return f"q{index + (3 if edition == '2023_24' else 4):02d}"  # numbering shifts between questionnaires


def _draw(rng: np.random.Generator, question: Question, n: int, weight: float) -> dict[str, float]:
    """Return unweighted counts and weighted shares of one area's answers to one question."""
    pos = float(np.clip(question.positive + rng.normal(0, 0.035), 0.05, 0.97))
    neu = float(np.clip(question.neutral + rng.normal(0, 0.02), 0.01, 0.95 - pos)) if question.neutral else 0.0
    counts = rng.multinomial(n, [pos, neu, max(0.0, 1 - pos - neu)])
    w_pos = float(np.clip(counts[0] / n + rng.normal(0, 0.008), 0.01, 0.99))
    w_neu = float(np.clip(counts[1] / n + rng.normal(0, 0.006), 0.0, 0.99 - w_pos)) if question.neutral else 0.0
    total = n * weight
    return {"n": n, "pos": int(counts[0]), "neu": int(counts[1]), "neg": int(counts[2]), "w_n": total,
            "w_pos": w_pos * total, "w_neu": w_neu * total, "w_neg": (1 - w_pos - w_neu) * total,
            "deff": float(rng.uniform(1.2, 1.6))}


def _sum(parts: list[dict[str, float]]) -> dict[str, float]:
    out = {k: sum(p[k] for p in parts) for k in ("n", "pos", "neu", "neg", "w_n", "w_pos", "w_neu", "w_neg")}
    out["deff"] = float(np.mean([p["deff"] for p in parts]))
    return out


def _percentages(cell: dict[str, float]) -> dict[str, float]:
    p = cell["w_pos"] / cell["w_n"]
    se = np.sqrt(cell["deff"] * p * (1 - p) / cell["n"])
    return {"pos": 100 * p, "neu": 100 * cell["w_neu"] / cell["w_n"], "neg": 100 * cell["w_neg"] / cell["w_n"],
            "low": 100 * max(0.0, p - 1.959964 * se), "upp": 100 * min(1.0, p + 1.959964 * se), "se": se}


def results(rng: np.random.Generator) -> dict[tuple[str, str, str], dict[int, dict[str, float]]]:
    """Return {(level, report_area, name): {question index: cell}} for every level of the workbook."""
    out: dict[tuple[str, str, str], dict[int, dict[str, float]]] = {}
    by_board: dict[str, list[str]] = {}
    for hscp in scotland.partnerships():
        base = int(rng.integers(500, 900) if hscp.area_code in SMALL else rng.integers(1500, 9000))
        weight = float(rng.uniform(30, 90))
        out[("HSCP", hscp.area_code, hscp.area_name)] = {
            i: _draw(rng, q, max(20, int(base * (1.0 if q.section == "gp" else 0.09 if "Care" in q.section
                                                  else 0.14))), weight) for i, q in enumerate(QUESTIONS)}
        by_board.setdefault(hscp.health_board_code, []).append(hscp.area_code)
    hscps = {key[1]: cells for key, cells in out.items()}
    for board, members in sorted(by_board.items()):
        name = "NHS " + geography.area_name(board).replace(" and ", " & ")
        out[("Health Board", board, name)] = {i: _sum([hscps[m][i] for m in members]) for i in range(len(QUESTIONS))}
    out[("Scotland", "Scotland", "Scotland")] = {i: _sum([c[i] for c in hscps.values()]) for i in range(len(QUESTIONS))}
    for cluster in sorted({c for _, c in PRACTICES.values()}):
        out[("GPCL", cluster, cluster)] = {i: _draw(rng, q, int(rng.integers(150, 400)), 40.0)
                                           for i, q in enumerate(QUESTIONS)}
    for code, (name, _cluster) in PRACTICES.items():
        out[("GP", code, f"{name} ({code})")] = {i: _draw(rng, q, int(rng.integers(40, 200)), 40.0)
                                                 for i, q in enumerate(QUESTIONS)}
    return out


def _flag(p: float, se: float, p_ref: float, se_ref: float, what: str) -> str:
    z = (p - p_ref) / np.sqrt(se ** 2 + se_ref ** 2) if (se or se_ref) else 0.0
    if abs(z) < 1.959964:
        return f"Not statistically different from {what}"
    return f"Statistically {'higher' if z > 0 else 'lower'} than {what}"


def for_sg_rows(edition: str, rng: np.random.Generator) -> list[list[object]]:
    """Return the rows (header first) of PHS's results file for the Scottish Government for ``edition``."""
    cells = results(rng)
    national = {i: _percentages(c) for i, c in cells[("Scotland", "Scotland", "Scotland")].items()}
    previous = HISTORY[edition][0]
    rows: list[list[object]] = [FOR_SG_COLUMNS[edition]]
    for (level, area, name), by_question in cells.items():
        completed = int(max(c["n"] for c in by_question.values()) / 0.95)
        sample = int(completed / rng.uniform(0.16, 0.28))
        for i, question in enumerate(QUESTIONS):
            cell, pct, nat = by_question[i], _percentages(by_question[i]), national[i]
            history = [round(pct["pos"] + rng.normal(0, 2.5), 6) for _ in HISTORY[edition]]
            scot = ("Comparison not applicable" if level == "Scotland"
                    else _flag(pct["pos"], pct["se"], nat["pos"], nat["se"], "Scotland"))
            time = _flag(pct["pos"], pct["se"], history[0], pct["se"], previous)
            rows.append([level, area, name, _question_code(edition, i), question.wording(edition),
                         question.section_name(edition), cell["n"], cell["pos"], cell["neu"], cell["neg"],
                         *(round(cell[k], 6) for k in ("w_n", "w_pos", "w_neu", "w_neg")),
                         round(pct["pos"], 6), round(pct["low"], 6), round(pct["upp"], 6), round(cell["deff"], 6),
                         round(pct["neu"], 6), round(pct["neg"], 6), *history, scot, time,
                         cells[("Scotland", "Scotland", "Scotland")][i]["n"], round(nat["pos"], 6),
                         completed, sample, round(100 * completed / sample, 6)])
    return rows


def for_list_sheets(rng: np.random.Generator, year: str = "2022") -> dict[str, list[list[object]]]:
    """Return the sheets of the HSCP results file for LIST (2021/22 layout): notes, then the results."""
    cells = results(rng)
    header = ["hscp_name", f"question_{year}", f"description_{year}", f"hscp_ques_resp_unweighted_{year}",
              f"hscp_percent_positive_{year}", f"wgt_percentpositive_low_{year}", f"wgt_percentpositive_upp_{year}"]
    rows: list[list[object]] = [header]
    for (level, _area, name), by_question in cells.items():
        if level not in ("HSCP", "Scotland"):
            continue
        for i, question in enumerate(QUESTIONS):
            pct = _percentages(by_question[i])
            rows.append([name, _question_code("2021_22", i), question.wording("2021_22"), by_question[i]["n"],
                         round(pct["pos"], 6), round(pct["low"], 6), round(pct["upp"], 6)])
    notes = [["Health and Care Experience Survey 2021/22: HSCP results (SYNTHETIC example, values invented)"],
             ["Percent positive: weighted percentage of people answering positively; limits are weighted 95%."]]
    return {"Notes": notes, "HSCP results": rows}


def write_for_sg(path: Path, edition: str, seed: int = 2324) -> Path:
    """Write a synthetic results file for the Scottish Government in ``edition``'s layout."""
    return write_workbook(path, {"Sheet 1": for_sg_rows(edition, np.random.default_rng(seed))})


def write_for_list(path: Path, seed: int = 2122) -> Path:
    """Write a synthetic 2021/22 HSCP results file for LIST."""
    return write_workbook(path, for_list_sheets(np.random.default_rng(seed)))


def write_samples(data_sources: Path | None = None) -> list[Path]:
    """Write the bundled synthetic edition into ``data_sources/hace/2023_24/``; return the file written."""
    root = Path(data_sources) if data_sources else paths.data_sources_dir()
    return [write_for_sg(root / "hace" / BUNDLED_EDITION / BUNDLED_FILE, BUNDLED_EDITION)]


if __name__ == "__main__":
    for written in write_samples(Path(sys.argv[1]) if len(sys.argv) > 1 else None):
        print(written)
