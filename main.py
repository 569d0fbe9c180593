"""cdktf app entry (`cdktf synth` / `cdktf deploy` run `python main.py`).

Environments: $MESHFORM_ENV (comma-separated) or all files in environments/. Invalid input prints every error
and exits non-zero before anything is synthesized.
"""
import sys
from pathlib import Path

from meshform.errors import ValidationFailed
from meshform.loader import load_meshes
from meshform.settings import SettingsInvalid, load_settings
from meshform.synth import synthesize  # noqa: F401  (sets the jsii banner switches before cdktf loads)


def main() -> int:
    root = Path(__file__).resolve().parent
    try:
        meshes = load_meshes(root, load_settings().environments)
    except ValidationFailed as failed:
        print(failed.errors.render(), file=sys.stderr)
        return 1
    except SettingsInvalid as invalid:
        print(f"error: {invalid}", file=sys.stderr)
        return 1
    from modules.app import build_app

    app, _ = build_app(meshes)   # outdir from the cdktf CLI (CDKTF_OUTDIR) or ./cdktf.out
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
