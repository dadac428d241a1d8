"""Local extracts (JSNA data, monitoring returns) need no source package: each folder of
``data_sources/jsna/`` with a ``mapping.yaml`` is discovered by the registry
(:mod:`landscape_pipeline.mapping.source`). This package only writes the synthetic examples
(:mod:`.sample`) and holds the stdlib .xlsx writer they use (:mod:`.xlsx`).
"""
