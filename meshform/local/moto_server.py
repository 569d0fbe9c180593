"""`python -m meshform.local.moto_server -H 127.0.0.1 -p PORT`: moto's server with meshform's faithful
additions installed (see meshform/local/moto_lakeformation.py and moto_s3.py)."""
from __future__ import annotations

import sys

from meshform.local import moto_lakeformation, moto_s3


def main(argv: list[str] | None = None) -> None:
    moto_lakeformation.install()
    moto_s3.install()
    from moto.server import main as moto_main

    moto_main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
