"""The mapping file: its shipped JSON Schema, and errors that name the mapping's line and what to fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from landscape_pipeline.mapping import SCHEMA_PATH, YamlFileError, json_schema, load_mapping, schema_text
from landscape_pipeline.paths import data_sources_dir
from landscape_pipeline_tests.factories import LONG_MAPPING


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if fragment in line)


def _error(tmp_path: Path, text: str) -> YamlFileError:
    with pytest.raises(YamlFileError) as caught:
        load_mapping(_write(tmp_path, text))
    return caught.value


def test_shipped_schema_is_the_one_generated_from_the_model() -> None:
    # The schema lists value types, polarities, themes and disclosure rules defined elsewhere; when one is
    # added, regenerate it: landscape map schema > landscape_pipeline/mapping/mapping.schema.json
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), "regenerate with `landscape map schema`"
    assert json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) == json_schema()


def test_every_bundled_mapping_and_the_template_pass_the_shipped_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    mappings = sorted((data_sources_dir() / "jsna").glob("*/mapping.yaml"))
    mappings.append(Path(__import__("landscape_pipeline.monitoring").monitoring.TEMPLATE_DIR) / "mapping.yaml")
    assert len(mappings) >= 5
    for path in mappings:
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
        load_mapping(path)


def test_a_valid_mapping_loads_and_column_shorthand_equals_the_long_form(tmp_path: Path) -> None:
    short = load_mapping(_write(tmp_path, LONG_MAPPING)).model
    long_form = LONG_MAPPING.replace("  area_code: code", "  area_code:\n    column: code")
    assert load_mapping(_write(tmp_path, long_form)).model == short
    assert short.columns.area_code.column == "code" and short.indicators[0].texts == ["Bowel screening"]


@pytest.mark.parametrize(("change", "fragment", "expected"), [
    (("    definition: People screened for bowel cancer.\n", ""), "  - match: Bowel screening",
     "indicators[0]: 'definition' is required here; add it"),
    (("value_type: proportion", "value_type: percent"), "value_type: percent", "indicators[0].value_type: Input"),
    (("disclosure: none", "disclosure: small"), "disclosure: small", "'fewer_than_5'"),
    (("  format: year", "  format: yearly"), "format: yearly", "'financial_year'"),
    (("title: Test extract", "title: Test extract\ncolour: red"), "colour: red",
     "'colour' is not a key this file knows; remove it or check its spelling"),
    (("  vintage: 2023\n", ""), "geography:", "'vintage' is required: the year of the area codes"),
    (("  level: la", "  level: site"), "geography:", "site rows must roll up to local authorities"),
])
def test_bad_mapping_names_the_line_and_the_fix(tmp_path: Path, change: tuple[str, str], fragment: str,
                                               expected: str) -> None:
    text = LONG_MAPPING.replace(*change)
    assert text != LONG_MAPPING
    error = _error(tmp_path, text)
    assert error.line == _line_of(text, fragment), str(error)
    assert f"mapping.yaml, line {error.line}: " in str(error)
    assert expected in str(error)


def test_cross_key_rules_point_at_the_key_to_fix(tmp_path: Path) -> None:
    wide = LONG_MAPPING.replace("columns:\n", "shape:\n  kind: wide\ncolumns:\n")
    error = _error(tmp_path, wide)
    assert error.line == _line_of(wide, "shape:") and "needs 'columns'" in str(error)

    summed = LONG_MAPPING.replace("  vintage: 2023", "  vintage: 2023\n  roll_up: sum_counts")
    error = _error(tmp_path, summed)
    assert error.line == _line_of(summed, "value_type: proportion")
    assert "sum_counts cannot combine; it needs count" in str(error)

    derived = LONG_MAPPING.replace("disclosure: none", "derived:\n  - id: local_share\n    name: Share\n"
                                   "    definition: A share.\n    numerator: local_bowel\n"
                                   "    denominator: local_missing\n    polarity: High is good\ndisclosure: none")
    error = _error(tmp_path, derived)
    assert error.line == _line_of(derived, "denominator: local_missing")
    assert "'local_missing' is not the id of an indicator rule (known: local_bowel)" in str(error)


def test_a_sex_map_must_land_on_persons_male_or_female(tmp_path: Path) -> None:
    text = LONG_MAPPING.replace("  value: value", "  value: value\n  sex:\n    column: who\n    map: {Women: Woman}")
    error = _error(tmp_path, text)
    assert error.line == _line_of(text, "map: {Women")
    assert "maps to ['Woman']; sex must become one of Persons, Male, Female" in str(error)


def test_duplicate_keys_todos_and_broken_yaml_are_refused_with_their_lines(tmp_path: Path) -> None:
    twice = LONG_MAPPING.replace("publisher: Test council", "publisher: Test council\npublisher: Other")
    error = _error(tmp_path, twice)
    assert error.line == 3 and "'publisher' appears twice (lines 2 and 3); keep one" in str(error)

    draft = LONG_MAPPING.replace("unit: \"%\"", "unit: 'TODO: e.g. %'")
    error = _error(tmp_path, draft)
    assert error.line == _line_of(draft, "TODO") and "indicators[0].unit is still a draft" in str(error)

    broken = LONG_MAPPING.replace("  value: value", "  value: [value")
    error = _error(tmp_path, broken)
    assert "is not valid YAML" in str(error) and error.line is not None


def test_a_mapping_that_is_not_a_mapping_or_is_missing_is_a_sentence(tmp_path: Path) -> None:
    assert "must be a YAML mapping" in str(_error(tmp_path, "- just\n- a list\n"))
    with pytest.raises(YamlFileError, match="does not exist"):
        load_mapping(tmp_path / "nowhere")
