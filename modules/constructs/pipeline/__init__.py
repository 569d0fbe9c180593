"""A product pipeline's AWS concepts, one per file (docs/pipelines.md; the map: modules/README.md): the domain's
artifacts bucket and uploads (`artifacts.py`), its Glue security configuration (`glue_security_configuration.py`),
one Glue job (`glue_job.py`), what a Glue job role needs at run time (`runtime_access.py`), the Step Functions
definition (`asl.py`) and state machine (`state_machine.py`), the EventBridge trigger (`landing_trigger.py`), one Glue
Data Quality ruleset (`data_quality_ruleset.py`), the key statement for encrypted log groups (`log_encryption.py`),
and the composition for one product (`product_pipeline.py`). The domain's SNS topic is not here: it is the
domain's, not the pipelines' (`modules/constructs/domain_notifications.py`)."""
