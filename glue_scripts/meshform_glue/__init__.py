"""Shared code of the product pipelines' Glue jobs (glue_scripts/stage_a.py, stage_b.py). Shipped to Glue as a zip
with --extra-py-files; locally imported from glue_scripts/ (the scripts' own directory)."""
