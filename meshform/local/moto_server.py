"""`python -m meshform.local.moto_server -H 127.0.0.1 -p PORT`: moto's server with meshform's faithful
additions installed (meshform/local/moto_lf/, moto_ram.py, moto_org.py, moto_glue.py, moto_glue_dq.py,
moto_glue_jobs.py, moto_iam_oidc.py, moto_logs.py, moto_s3.py, moto_s3_policy.py, moto_sfn.py, moto_cloudtrail.py,
moto_budgets.py, moto_ce.py, moto_redshift_serverless.py, moto_redshift_clusters.py, moto_redshift_datashares.py,
moto_redshift_data.py, moto_ec2_zones.py)."""
from __future__ import annotations

import sys

from meshform.local import (
    moto_budgets,
    moto_ce,
    moto_cloudtrail,
    moto_ec2_zones,
    moto_glue,
    moto_glue_dq,
    moto_glue_jobs,
    moto_iam_oidc,
    moto_lf,
    moto_logs,
    moto_org,
    moto_ram,
    moto_redshift_clusters,
    moto_redshift_data,
    moto_redshift_datashares,
    moto_redshift_serverless,
    moto_s3,
    moto_s3_policy,
    moto_sfn,
)


def install() -> None:
    moto_lf.install()
    moto_ram.install()
    moto_org.install()
    moto_glue.install()
    moto_glue_dq.install()
    moto_glue_jobs.install()
    moto_iam_oidc.install()
    moto_logs.install()
    moto_s3.install()
    moto_s3_policy.install()
    moto_sfn.install()
    moto_cloudtrail.install()
    moto_budgets.install()
    moto_ce.install()
    moto_redshift_serverless.install()
    moto_redshift_clusters.install()
    moto_redshift_datashares.install()
    moto_redshift_data.install()
    moto_ec2_zones.install()


def main(argv: list[str] | None = None) -> None:
    install()
    from moto.server import main as moto_main

    moto_main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
