#!/usr/bin/env python3
"""Validate Retain's OpenAPI document: JSON syntax, OpenAPI 3.1 schema, and house rules.

Usage: python3 scripts/check_openapi.py [PATH]   (needs `pip install openapi-spec-validator jsonschema`)
Checks the operation list, $refs, scopes, problem responses, snake_case names, and every example against its schema.
The Swift test AuthAndDocumentHTTPTests checks that every documented operation is routed.
"""
import json
import re
import sys

from openapi_spec_validator import validate
from openapi_spec_validator.versions import consts  # noqa: F401  (import check only)

PATH = sys.argv[1] if len(sys.argv) > 1 else "Sources/RetainHTTP/Resources/openapi.json"

with open(PATH, encoding="utf-8") as handle:
    text = handle.read()
doc = json.loads(text)
assert doc["openapi"] == "3.1.0", "openapi must be 3.1.0"
assert text == json.dumps(doc, indent=2, ensure_ascii=False) + "\n", "file is not pretty-printed (indent 2)"

validate(doc)  # raises OpenAPIValidationError on any problem

problems = []
EXPECTED = {
    ('get', '/v1/orders'), ('post', '/v1/orders/{order_id}/assign'),
    ("get", "/health"), ("get", "/metrics"), ("get", "/openapi.json"),
    ("get", "/v1/program"), ("patch", "/v1/program"),
    ("post", "/v1/customers"), ("get", "/v1/customers"), ("get", "/v1/customers/{id}"),
    ("patch", "/v1/customers/{id}"), ("get", "/v1/customers/{id}/wallet"), ("get", "/v1/customers/{id}/ledger"),
    ("post", "/v1/customers/{id}/redemptions"), ("post", "/v1/customers/{id}/adjustments"),
    ("post", "/v1/orders"), ("get", "/v1/orders/{order_id}"), ("post", "/v1/orders/{order_id}/returns"),
    ("post", "/v1/orders/simulate"), ("post", "/v1/events"),
    ("get", "/v1/earning-rules"), ("post", "/v1/earning-rules"), ("put", "/v1/earning-rules"),
    ("put", "/v1/earning-rules/{id}"), ("delete", "/v1/earning-rules/{id}"), ("post", "/v1/expiry/run"),
    ("get", "/v1/program/configuration"), ("put", "/v1/program/configuration"),
    ("get", "/v1/program/configuration/versions"), ("get", "/v1/tiers"), ("get", "/v1/customers/{id}/tier"),
    ("put", "/v1/customers/{id}/tier-override"), ("get", "/v1/stamp-cards"), ("get", "/v1/customers/{id}/stamp-cards"),
    ("get", "/v1/rewards"), ("post", "/v1/customers/{id}/rewards"), ("get", "/v1/customers/{id}/rewards"),
    ("get", "/v1/reward-codes/{code}"), ("post", "/v1/reward-codes/{code}/use"),
    ("post", "/v1/reward-codes/{code}/cancel"), ("get", "/v1/expiring-points"), ("get", "/v1/reports/liability"),
    ("post", "/v1/program/dry-run"),
    ("get", "/v1/analytics/summary"), ("get", "/v1/analytics/cohorts"), ("get", "/v1/analytics/rfm"),
    ("get", "/v1/analytics/at-risk"), ("get", "/v1/analytics/customers/{id}"), ("post", "/v1/analytics/refresh"),
}
found = {(m, p) for p, item in doc["paths"].items() for m in item}
if found != EXPECTED:
    problems.append(f"operations differ: missing {sorted(EXPECTED - found)}, extra {sorted(found - EXPECTED)}")

components = doc["components"]
assert components["securitySchemes"]["bearer"] == {**components["securitySchemes"]["bearer"], "type": "http", "scheme": "bearer"}


def resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        kind, name = node["$ref"].split("/")[-2:]
        node = components[kind][name]
    return node


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


for target in set(refs(doc)):
    kind, name = target.split("/")[-2:]
    if name not in components.get(kind, {}):
        problems.append(f"dangling $ref {target}")

op_ids = set()
for path, item in doc["paths"].items():
    for method, op in item.items():
        where = f"{method.upper()} {path}"
        oid = op.get("operationId")
        if not oid or oid in op_ids:
            problems.append(f"{where}: missing or duplicate operationId")
        op_ids.add(oid)
        if not op.get("summary") or "\n" in op["summary"]:
            problems.append(f"{where}: needs a one-line summary")
        public = op.get("security") == []
        if path.startswith("/v1/"):
            if public:
                problems.append(f"{where}: /v1 must be authenticated")
            if op.get("x-required-scope") not in ("read", "write", "admin"):
                problems.append(f"{where}: x-required-scope must be read|write|admin")
        elif not public:
            problems.append(f"{where}: operational endpoint should be public")
        for code, response in op["responses"].items():
            response = resolve(response)
            if code.startswith("4"):
                content = response.get("content", {})
                if list(content) != ["application/problem+json"] or \
                        content["application/problem+json"]["schema"] != {"$ref": "#/components/schemas/Problem"}:
                    problems.append(f"{where} {code}: must be an application/problem+json Problem")
            elif code in ("200", "201") and path.startswith("/v1/"):
                schema = response["content"]["application/json"]["schema"]
                if "$ref" not in schema:
                    problems.append(f"{where} {code}: response body should be a named schema")
        body = op.get("requestBody")
        if body and "$ref" not in body["content"]["application/json"]["schema"]:
            problems.append(f"{where}: request body should be a named schema")


def walk_keys(node, where):
    """Walk schema objects only: a `properties` map's keys are names, its values are schemas."""
    if isinstance(node, list):
        for value in node:
            walk_keys(value, where)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in ("example", "examples", "enum", "default", "required"):
            continue
        if key == "properties":
            for name, schema in value.items():
                if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                    problems.append(f"{where}: property {name} is not snake_case")
                walk_keys(schema, f"{where}.{name}")
        else:
            walk_keys(value, where)


for schema_name, schema in components["schemas"].items():
    walk_keys(schema, schema_name)
problem = components["schemas"]["Problem"]["properties"]
for field in ("type", "title", "status", "detail", "instance", "errors", "code"):
    if field not in problem:
        problems.append(f"Problem lacks {field}")

if problems:
    print("FAILED:")
    for line in problems:
        print("  -", line)
    sys.exit(1)
print(f"OK: {PATH} is a valid OpenAPI 3.1.0 document "
      f"({len(found)} operations, {len(components['schemas'])} schemas)")


# Every example must satisfy its schema (JSON Schema 2020-12, as OpenAPI 3.1 uses).
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

registry = Registry().with_resource("urn:retain", Resource.from_contents(
    {**doc, "$schema": "https://json-schema.org/draft/2020-12/schema"}))


def check_example(schema, value, where):
    wrapped = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    wrapped = json.loads(json.dumps(wrapped).replace('"#/components/', '"urn:retain#/components/'))
    validator = Draft202012Validator(wrapped, registry=registry, format_checker=FormatChecker())
    for error in validator.iter_errors(value):
        problems.append(f"{where}: example invalid at {list(error.absolute_path)}: {error.message}")


example_count = 0
for name, schema in components["schemas"].items():
    if "example" in schema:
        check_example({"$ref": f"#/components/schemas/{name}"}, schema["example"], f"schemas.{name}")
        example_count += 1
for name, response in components["responses"].items():
    media = response["content"]["application/problem+json"]
    for key, example in media.get("examples", {}).items():
        check_example(media["schema"], example["value"], f"responses.{name}.{key}")
        example_count += 1
for path, item in doc["paths"].items():
    for method, op in item.items():
        bodies = []
        if "requestBody" in op:
            bodies.append(("request", op["requestBody"]))
        bodies += [(code, r) for code, r in op["responses"].items() if "$ref" not in r]
        for label, body in bodies:
            for media_type, media in body.get("content", {}).items():
                if "example" in media:
                    check_example(media["schema"], media["example"], f"{method.upper()} {path} {label}")
                    example_count += 1
                for key, example in media.get("examples", {}).items():
                    check_example(media["schema"], example["value"], f"{method.upper()} {path} {label} {key}")
                    example_count += 1

if problems:
    print("FAILED:")
    for line in problems:
        print("  -", line)
    sys.exit(1)
print(f"OK: {example_count} examples match their schemas")
