"""to_31: the petstore fixture as rmcp-openapi-server 0.32.1 can read it.

rmcp-openapi-server reads JSON only, and OpenAPI 3.1 only (its `oas3` parser stops at 3.0's
boolean `exclusiveMinimum`: "JSON error at paths./pets.get.parameters[0]: data did not match any
variant of untagged enum ObjectOrReference"). This writes the same description as 3.1 JSON:
`exclusiveMinimum: true` + `minimum: N` becomes `exclusiveMinimum: N` (likewise maximum), and
`nullable: true` becomes a `null` member of `type`; and parameters declared on a path are copied
into each of its operations (rmcp-openapi-server ignores path-level parameters: "Validation
failed - invalid parameter 'petId'", valid_parameters []), which OpenAPI defines as the same. Operations, parameters and security are
unchanged, so every server exposes the same tools.

    python to_31.py fixtures/petstore.yaml target/bench/petstore.json   (PyYAML: FastMCP's venv)
"""

import json
import sys

import yaml


def to_31(node):
    if isinstance(node, dict):
        for bound in ("Minimum", "Maximum"):
            if node.get("exclusive" + bound) is True:
                node["exclusive" + bound] = node.pop(bound.lower(), 0)
            elif node.get("exclusive" + bound) is False:
                del node["exclusive" + bound]
        if node.pop("nullable", False) is True and isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        for value in node.values():
            to_31(value)
    elif isinstance(node, list):
        for value in node:
            to_31(value)
    return node


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    spec = to_31(spec)
    spec["openapi"] = "3.1.0"
    for item in spec.get("paths", {}).values():
        shared = item.pop("parameters", [])
        for method in ("get", "put", "post", "delete", "options", "head", "patch", "trace"):
            if method in item:
                own = item[method].setdefault("parameters", [])
                names = {(p.get("name"), p.get("in")) for p in own}
                own[:0] = [p for p in shared if (p.get("name"), p.get("in")) not in names]
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(spec, f, indent=1)


if __name__ == "__main__":
    main()
