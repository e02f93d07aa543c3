"""Verifies deliveries the way a receiver would, with the official SDK and Standard Webhooks.

stdin: {"secret": "whsec_...", "deliveries": [{"headers": {...}, "body": "..."}]}
stdout: one line per delivery, "<event name> <class the SDK parsed it into>".
Exits non-zero if any delivery fails to verify or parses to no typed event.
"""
import json
import sys

import kaitencloud.webhooks as kw
import standardwebhooks

case = json.load(sys.stdin)
hook = standardwebhooks.Webhook(case["secret"])
for delivery in case["deliveries"]:
    headers, body = delivery["headers"], delivery["body"]
    event = kw.verify_webhook(body, headers, secret=case["secret"])
    kind = type(event).__name__
    if kind == "UnknownWebhookEvent":
        raise SystemExit(f"the SDK does not know {json.loads(body)['name']}")
    hook.verify(body, {k: v for k, v in headers.items() if k.startswith("webhook-")})
    print(json.loads(body)["name"], kind)
