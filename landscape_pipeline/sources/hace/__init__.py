"""Scottish Health and Care Experience Survey (HACE): each edition is a mapped folder, no parser code.

HACE is biennial; the Scottish Government publishes its results as Excel workbooks at Scotland,
NHS board, HSCP, GP cluster and GP practice level (% positive / neutral / negative per question,
with responses), and the layout changes between editions. So each edition is read through its own
mapping file, ``data_sources/hace/<edition>/mapping.yaml`` (registered as source ``hace_<edition>``
by :mod:`landscape_pipeline.mapping.source`), at ``hscp`` level with ``roll_up: attribute``: the
partnership's value goes to its council area(s), Clackmannanshire and Stirling both inheriting their
shared partnership's ("attributed", with a note). This package holds the question wording per edition
(:mod:`.questions`), the mapping files of known layouts (``layouts/``) and the synthetic workbooks'
writer (:mod:`.sample`).
"""
