"""`python -m meshform.local.moto_server -H 127.0.0.1 -p PORT`: moto's server with meshform's faithful
additions installed (meshform/local/moto_lf/, moto_ram.py, moto_org.py, moto_glue.py, moto_s3.py)."""
from __future__ import annotations

import sys

from meshform.local import moto_glue, moto_lf, moto_org, moto_ram, moto_s3


def install() -> None:
    moto_lf.install()
    moto_ram.install()
    moto_org.install()
    moto_glue.install()
    moto_s3.install()


def main(argv: list[str] | None = None) -> None:
    install()
    from moto.server import main as moto_main

    moto_main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
