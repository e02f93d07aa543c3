"""Evaluates flags through the generic OpenFeature SDK with the OFREP provider, exactly as a
vendor's product would, and prints what the client saw as JSON.

usage: ofrep_client.py BASE_URL TOKEN CUSTOMER
"""

import json
import sys

from openfeature import api
from openfeature.contrib.provider.ofrep import OFREPProvider
from openfeature.evaluation_context import EvaluationContext

base_url, token, customer = sys.argv[1:4]
api.set_provider(OFREPProvider(base_url, headers_factory=lambda: {"Authorization": f"Bearer {token}"}))
client = api.get_client()


def seen(details):
    return {
        "value": details.value,
        "variant": details.variant,
        "reason": str(details.reason.value if hasattr(details.reason, "value") else details.reason),
        "error_code": str(details.error_code.value) if details.error_code else None,
        "metadata": dict(details.flag_metadata or {}),
    }


beta = EvaluationContext(targeting_key="user-1", attributes={"plan": "pro"})
bought = EvaluationContext(targeting_key=customer)
print(json.dumps({
    "boolean": seen(client.get_boolean_details("checkout", False, beta)),
    "boolean_from_license": seen(client.get_boolean_details("licensed", False, bought)),
    "string": seen(client.get_string_details("banner", "fallback", beta)),
    "integer": seen(client.get_integer_details("limit", 0, beta)),
    "float": seen(client.get_float_details("ratio", 0.0, beta)),
    "object": seen(client.get_object_details("theme", {}, beta)),
    "missing": seen(client.get_boolean_details("no-such-flag", True, beta)),
}))
