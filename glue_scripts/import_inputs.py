"""Glue job (fine-grained access mode): copy the filtered inputs of one data product to the stage bucket's imports/
prefix (see meshform_glue/import_inputs.py for why and its arguments). The same file runs on AWS Glue 5 and on
local pyspark 3.5 (`meshform run-pipeline`)."""
from meshform_glue import runtime
from meshform_glue.import_inputs import run

if __name__ == "__main__":
    runtime.main(run)
