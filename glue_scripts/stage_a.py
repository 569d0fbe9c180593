"""Glue job: raw -> stage for one data product (see meshform_glue/stage_a.py for what it does and its arguments).
The same file runs on AWS Glue 5 and on local pyspark 3.5 (`meshform run-pipeline`)."""
from meshform_glue import runtime
from meshform_glue.stage_a import run

if __name__ == "__main__":
    runtime.main(run)
