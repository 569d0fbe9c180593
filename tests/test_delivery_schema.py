"""The tfe provider's schema, offline, from the installed prebuilt bindings (cdktf-cdktf-provider-tfe, generated
from hashicorp/tfe's `terraform providers schema -json`): the jsii assembly gives every resource's settable
arguments and which are required, the generated JavaScript the Terraform name and storage type of each. The
registry (and with it the provider binary) is unreachable here; this is the same schema, as the bindings carry it.

test_delivery.py asserts every synthesized tfe block against it; the tests here prove the reader itself finds
what the provider documents (so a broken reader cannot make those assertions vacuous)."""
from __future__ import annotations

import json
import re
import tarfile
from dataclasses import dataclass, field
from functools import cache
from importlib.util import find_spec
from pathlib import Path

_HCL_ATTR = re.compile(r'(\w+): \{\s*value: ([^\n]*),\s*isBlock: (true|false),\s*type: "(\w+)",\s*'
                       r'storageClassType: "(\w+)",\s*\}')
_CAMEL = re.compile(r"(?:this\._|struct!?\.)(\w+)")


@dataclass
class Attribute:
    name: str
    required: bool
    storage: str                  # string, boolean, number, stringList, stringMap, ... or the nested block's list
    block: Block | None = None    # nested blocks (e.g. tfe_workspace.vcs_repo)


@dataclass
class Block:
    attributes: dict[str, Attribute] = field(default_factory=dict)


def _assembly_file() -> Path:
    spec = find_spec("cdktf_cdktf_provider_tfe")      # found without importing (no jsii runtime needed)
    assert spec is not None and spec.submodule_search_locations, "cdktf-cdktf-provider-tfe is not installed"
    return next((Path(list(spec.submodule_search_locations)[0]) / "_jsii").glob("*.jsii.tgz"))


def _function_body(js: str, header: str) -> str:
    start = js.index(header)
    end = js.find("\n    return", start)
    end2 = js.find("\n}", start)
    return js[start:min(e for e in (end, end2) if e > 0)]


def _hcl_types(body: str) -> dict[str, tuple[str, str, bool]]:
    """camelCase property -> (terraform name, storage type, is a block)."""
    out = {}
    for name, value, is_block, _kind, storage in _HCL_ATTR.findall(body):
        camel = _CAMEL.search(value)
        assert camel, f"cannot map {name} to its property in {value!r}"
        out[camel.group(1)] = (name, storage, is_block == "true")
    return out


def _struct_fqn(type_ref) -> str:
    """The provider's own struct inside a jsii type reference (lists and unions with IResolvable around it)."""
    found = re.findall(r'"fqn": "(@cdktf/provider-tfe\.[^"]+)"', json.dumps(type_ref))
    assert len(found) == 1, type_ref
    return found[0]


def _block(types: dict, struct_fqn: str, js: str, hcl: dict[str, tuple[str, str, bool]]) -> Block:
    block = Block()
    for prop in types[struct_fqn].get("properties", []):
        if prop["name"] not in hcl:
            continue              # `id`-like helpers the provider computes are still listed: only real arguments
        name, storage, is_block = hcl[prop["name"]]
        nested = None
        if is_block:
            fqn = _struct_fqn(prop["type"])
            short = fqn.rsplit(".", 1)[1]
            fn = f"function {short[0].lower()}{short[1:]}ToHclTerraform(struct)"
            nested = _block(types, fqn, js, _hcl_types(_function_body(js, fn)))
        block.attributes[name] = Attribute(name, not prop.get("optional", False), storage, nested)
    return block


@cache
def tfe_schema() -> dict[str, Block]:
    """Terraform type (tfe_workspace, ..., and `tfe` for the provider block) -> its argument schema."""
    schema: dict[str, Block] = {}
    with tarfile.open(_assembly_file()) as tar:
        member = tar.extractfile("package/.jsii")
        assert member is not None
        types = json.load(member)["types"]
        for fqn, t in types.items():
            if t.get("kind") != "class" or t.get("base") not in ("cdktf.TerraformResource", "cdktf.TerraformProvider"):
                continue
            source = t["locationInModule"]["filename"].replace("src/", "package/lib/").replace(".ts", ".js")
            member = tar.extractfile(source)
            assert member is not None, source
            js = member.read().decode()
            tf_type = re.search(rf'{t["name"]}\.tfResourceType = "(\w+)"', js)
            assert tf_type, f"no tfResourceType for {fqn}"
            config = next(p for p in t["initializer"]["parameters"] if p["name"] == "config")["type"]["fqn"]
            hcl = _hcl_types(_function_body(js, "synthesizeHclAttributes() {"))
            schema[tf_type.group(1)] = _block(types, config, js, hcl)
    return schema


def test_the_schema_has_the_documented_workspace_arguments():
    """https://registry.terraform.io/providers/hashicorp/tfe/0.71.0/docs/resources/workspace: name is the one
    required argument; vcs_repo is a block whose identifier is required."""
    workspace = tfe_schema()["tfe_workspace"].attributes
    assert {n for n, a in workspace.items() if a.required} == {"name"}
    assert workspace["auto_apply"].storage == "boolean" and workspace["working_directory"].storage == "string"
    assert workspace["tag_names"].storage == "stringList"
    vcs = workspace["vcs_repo"].block
    assert vcs is not None and {n for n, a in vcs.attributes.items() if a.required} == {"identifier"}
    assert {"branch", "oauth_token_id", "github_app_installation_id"} <= set(vcs.attributes)
    assert "html_url" not in workspace          # computed only: not an argument


def test_the_schema_has_the_documented_requirements_of_the_other_resources():
    schema = tfe_schema()
    required = {t: {n for n, a in schema[t].attributes.items() if a.required}
                for t in ("tfe_variable", "tfe_run_trigger", "tfe_notification_configuration", "tfe_project",
                          "tfe_workspace_settings", "tfe")}
    assert required == {"tfe_variable": {"key", "category"}, "tfe_run_trigger": {"workspace_id", "sourceable_id"},
                        "tfe_notification_configuration": {"name", "destination_type", "workspace_id"},
                        "tfe_project": {"name"}, "tfe_workspace_settings": {"workspace_id"}, "tfe": set()}
    assert schema["tfe_variable"].attributes["sensitive"].storage == "boolean"
    assert schema["tfe_notification_configuration"].attributes["triggers"].storage == "stringList"
    assert len(schema) > 50                      # every resource of the provider, not a hand-picked few
