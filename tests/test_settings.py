"""MESHFORM_* settings: typed, read in one place, bad values reported clearly."""
from __future__ import annotations


def test_meshform_settings_are_typed_and_a_bad_value_is_a_clear_error(project, capsys, monkeypatch):
    """MESHFORM_* variables are read in one place (meshform/settings.py); a value meshform cannot use is reported
    with the variable's name, never a traceback."""
    from meshform.cli import main
    from meshform.settings import load_settings

    monkeypatch.setenv("MESHFORM_ENV", " dev , ")
    assert load_settings().environments == ["dev"]
    assert main(["--root", str(project), "validate"]) == 0
    monkeypatch.setenv("MESHFORM_TF_REGISTRY", "sometimes")
    assert main(["--root", str(project), "local-deploy", "--env", "dev"]) == 1
    err = capsys.readouterr().err
    assert "MESHFORM_TF_REGISTRY" in err and "online" in err and "Traceback" not in err
