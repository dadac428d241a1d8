"""Any local CSV or Excel file becomes a validated source through a mapping file beside it.

A reusable library: :mod:`.model` (the mapping file, its shipped JSON Schema; loaded with line
numbers by :mod:`landscape_pipeline.yamlfile`), :mod:`.reader` (through :mod:`landscape_pipeline.tabular`),
:mod:`.checks` (the blocking checks), :mod:`.aggregate` (roll-up), :mod:`.derived` (derived
indicators, disclosure control), :mod:`.build` (end to end), :mod:`.source` (folders -> registered
sources) and :mod:`.draft` (``landscape map init``).
"""

from landscape_pipeline.mapping.build import build_frame, load_mapping, mapping_path
from landscape_pipeline.mapping.model import MAPPING_FILE, SCHEMA_PATH, MappingFile, json_schema, schema_text
from landscape_pipeline.yamlfile import YamlFileError

__all__ = ["MAPPING_FILE", "SCHEMA_PATH", "MappingFile", "YamlFileError", "build_frame", "json_schema",
           "load_mapping", "mapping_path", "schema_text"]
