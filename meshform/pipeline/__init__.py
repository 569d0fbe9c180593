"""Data-plane side of the product pipelines: what the Glue scripts in `glue_scripts/` are told about a product
(`manifest.py`), the Glue Data Quality ruleset of each table (`dqdl.py`), the compiler both share (`rules.py`), and
`meshform run-pipeline` (`run.py`), which runs the same scripts on local Spark."""
