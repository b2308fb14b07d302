#!/usr/bin/env python3
"""Fill a demo-mode registry with a large, lint-clean catalog through its public API.

Everything goes through the change-request workflow, as it would for real: Dave (admin) creates
the domains, Alice (ecommerce team) proposes the scopes in change requests of at most 500 items,
Bob (ecommerce reviewer) approves them, Carol (security reviewer) adds the security review that
confidential scopes need, and Alice publishes. Each change request publishes one catalog version.

The names are generated deterministically (seeded PRNG, standard library only): resources are
plural nouns or two-word `<qualifier>-<noun>` combinations, each with a few of the policy's
actions, and no two resources of one domain are near-duplicates in the linter's sense (same once
folded, or one edit apart). The registry lints every change request on submission; any finding
(error or warning) stops the script, so the catalog is lint-clean by construction.

Usage: seed.py BASE_URL TOTAL   (tokens in ALICE, BOB, CAROL, DAVE)
"""

import json
import os
import random
import sys
import time
import urllib.error
import urllib.request

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8080"
TOTAL = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
TOKENS = {p: os.environ[p.upper()] for p in ("alice", "bob", "carol", "dave")}
API = BASE + "/api/v1"
MAX_ITEMS = 500  # server/src/workflow/items.rs MAX_ITEMS
MAX_BODY = 200_000  # below max_body_bytes (262,144), with room to spare

# Domains created for the benchmark, each owned by the ecommerce team so that Alice may propose
# in them and Bob may review them (demo personas; DESIGN §5). `ecommerce` exists already.
NEW_DOMAINS = [
    ("shipping", "Parcels, carriers and tracking."),
    ("payments", "Card, wallet and bank payments."),
    ("loyalty", "Points, tiers and rewards."),
    ("pricing", "Price lists, discounts and promotions."),
    ("warehouse", "Stock locations, picking and packing."),
    ("marketing", "Campaigns, audiences and newsletters."),
    ("support", "Tickets, chats and knowledge articles."),
    ("logistics", "Freight, routes and depots."),
    ("accounts", "Customer accounts and profiles."),
    ("messaging", "E-mail, SMS and push notifications."),
    ("reporting", "Dashboards and scheduled reports."),
    ("compliance", "Retention, legal holds and attestations."),
    ("partners", "Resellers, affiliates and marketplaces."),
    ("subscriptions", "Plans, renewals and entitlements."),
    ("documents", "Contracts, files and e-signatures."),
    ("scheduling", "Appointments, slots and calendars."),
    ("fulfilment", "Orders on their way from stock to door."),
    ("procurement", "Suppliers, purchase orders and receipts."),
    ("telemetry", "Device events and health signals."),
]

# Plural nouns (no uncountables, no reserved words, no policy actions).
NOUNS = """
addresses adjustments agents alerts allocations allowances announcements appointments approvals
articles assets assignments attachments attestations audiences authors awards badges balances
banners baskets batches beneficiaries bids bookings branches brands budgets bundles calendars
campaigns candidates cards carriers cases categories certificates channels charges checklists
claims clients collections comments commissions contacts containers contracts coupons credits
customers cycles deliveries deposits devices discounts disputes documents drafts endpoints
entitlements estimates exceptions exchanges expenses facilities fees files filters forecasts
forms gateways gifts grants groups guides holds incidents installments instructions invitations
invoices items journals kits labels leads ledgers licenses limits listings locations manifests
mandates measurements members merchants messages milestones notes notices offers opportunities
packages pallets parcels partners passes payees payouts periods permits photos plans policies
positions preferences prices profiles projects promotions proposals quotas quotes ratings
readings rebates receipts recipients records refunds regions registrations reminders rentals
requests reservations resources reviews rewards routes rules schedules segments sellers
sessions shelves shifts shipments signatures sites slots snapshots sources statements stores
suppliers surveys tags tasks templates tenants terms tickets tiers topics transfers trips
units uploads vehicles vendors vouchers wallets warranties webhooks zones
""".split()

QUALIFIERS = """
account archived backorder bank billing bonus branch bulk carrier cash catalog checkout
claim client courier credit cross customer daily delivery deposit digital dispatch domestic
draft employee express external fleet freight fuel gift guest holiday inbound insurance
internal kiosk legal loyalty manual member mobile monthly night offline online outbound
partner payroll pickup premium price private product promo purchase rate referral refund
regional retail return sales seasonal service shared shelf shop site staff store supplier
tax team tender trade transit travel trial vendor weekly wholesale
""".split()

# Share of resources having each action (read almost always, approve rarely).
ACTIONS = [
    ("read", 0.92), ("create", 0.5), ("update", 0.45), ("delete", 0.25), ("export", 0.1),
    ("manage", 0.08), ("import", 0.06), ("approve", 0.05), ("execute", 0.04), ("write", 0.03),
]
VERB = {
    "read": "Read", "create": "Create", "update": "Change", "delete": "Delete",
    "export": "Export", "manage": "Manage", "import": "Import", "approve": "Approve",
    "execute": "Run", "write": "Write",
}
CONSENT = {
    "read": "See your", "create": "Create", "update": "Change", "delete": "Delete",
    "export": "Export your", "manage": "Manage your", "import": "Import", "approve": "Approve",
    "execute": "Run", "write": "Write",
}


def singular(word):
    """scope-lint's `singular` (scope-lint/src/similarity.rs)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    for suffix in ("sses", "shes", "ches", "xes", "zes"):
        if len(word) > len(suffix) + 1 and word.endswith(suffix):
            return word[:-2]
    if len(word) > 2 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def squash(s):
    return s.replace("-", "")


def fold(s):
    return singular(squash(s))


def within_one_edit(a, b):
    """Optimal-string-alignment distance <= 1 (insert, delete, substitute, transpose)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (len(diff) == 2 and diff[1] == diff[0] + 1
                and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


def too_close(x, y):
    """Conservative version of scope-lint's near-duplicate test (scope-lint/src/near.rs) for two
    resources of one domain: any shared folded or squashed form, or one edit apart."""
    fx, fy, sx, sy = fold(x), fold(y), squash(x), squash(y)
    return (sx == sy or fx == fy or within_one_edit(fx, fy) or within_one_edit(sx, sy)
            or within_one_edit(fx, sy) or within_one_edit(sx, fy))


def words(resource):
    return resource.replace("-", " ")


def generate(domains, existing, total, rng):
    """`total` new definitions spread evenly over `domains`; `existing` maps a domain to the
    resources it already has."""
    per_domain = [total // len(domains) + (1 if i < total % len(domains) else 0)
                  for i in range(len(domains))]
    out = {}
    for (domain, _), want in zip(domains, per_domain):
        taken = list(existing.get(domain, []))
        scopes = []
        attempts = 0
        while len(scopes) < want:
            attempts += 1
            if attempts > 200_000:
                raise SystemExit(f"cannot find enough distinct resources for {domain}")
            noun = rng.choice(NOUNS)
            resource = noun if rng.random() < 0.3 else f"{rng.choice(QUALIFIERS)}-{noun}"
            parts = resource.split("-")
            if (domain in parts or len(resource) > 32 or len(parts) != len(set(parts))
                    or any(too_close(resource, t) for t in taken)):
                continue
            taken.append(resource)
            actions = [a for a, p in ACTIONS if rng.random() < p] or ["read"]
            for action in actions[: want - len(scopes)]:
                scopes.append(definition(domain, resource, action, rng))
        out[domain] = scopes
    return out


def definition(domain, resource, action, rng):
    name = f"{domain}:{resource}:{action}"
    what = words(resource)
    classification = rng.choices(["public", "internal", "confidential"], [25, 60, 15])[0]
    usage = rng.choices(["delegated", "application", "both"], [60, 30, 10])[0]
    d = {
        "name": name,
        "description": f"{VERB[action]} {what} in {domain}, with their history and status; "
                       f"for clients acting on the {domain} API.",
        "classification": classification,
        "usage": usage,
    }
    if usage != "application":
        d["consent"] = {
            "display_name": f"{CONSENT[action]} {what}",
            "user_text": f"{CONSENT[action]} {what} on your behalf.",
        }
    if rng.random() < 0.2:
        d["claims"] = rng.sample(["account_id", "tenant_id", "region", "customer_id"], 1)
    return d


def call(method, path, who, body=None, ok=(200, 201)):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(API + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + TOKENS[who])
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        payload = e.read().decode(errors="replace")
        if e.code in ok:
            return e.code, json.loads(payload)
        raise SystemExit(f"{method} {path} as {who}: HTTP {e.code}: {payload[:4000]}")


def chunks(items):
    """Change requests of at most MAX_ITEMS items and MAX_BODY bytes."""
    batch, size = [], 0
    for item in items:
        n = len(json.dumps(item)) + 2
        if batch and (len(batch) == MAX_ITEMS or size + n > MAX_BODY):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += n
    if batch:
        yield batch


def main():
    started = time.monotonic()
    _, catalog = call("GET", "/catalog", "bob")
    have = len(catalog["scopes"])
    existing = {}
    for s in catalog["scopes"]:
        domain, resource, _ = s["name"].split(":")
        existing.setdefault(domain, set()).add(resource)
    _, known = call("GET", "/domains", "dave")
    names = {d["name"] for d in known}
    for name, description in NEW_DOMAINS:
        if name not in names:
            call("POST", "/domains", "dave", {
                "name": name, "description": description,
                "owners": ["team-ecommerce"], "reviewers": ["ecommerce-reviewers"],
                "audience": f"https://api.example.com/{name}",
            })
    domains = [("ecommerce", "")] + NEW_DOMAINS
    new = TOTAL - have
    if new <= 0:
        print(f"seed: the catalog has {have} scopes already")
        return
    rng = random.Random(20261203)
    plan = generate(domains, existing, new, rng)
    published = 0
    for domain, scopes in plan.items():
        items = [{"kind": "add", "name": d["name"], "definition": d} for d in scopes]
        for part, batch in enumerate(chunks(items), 1):
            body = {"domain": domain, "title": f"{domain} scopes, part {part}",
                    "description": "Generated by bench/catalog/seed.py.", "items": batch}
            _, cr = call("POST", "/change-requests", "alice", body)
            cid = cr["id"]
            _, submitted = call("POST", f"/change-requests/{cid}/submit", "alice")
            if submitted.get("lint"):
                raise SystemExit(f"lint findings for {domain} part {part}: "
                                 + json.dumps(submitted["lint"][:20], indent=1))
            _, reviewed = call("POST", f"/change-requests/{cid}/reviews", "bob",
                               {"verdict": "approve", "comment": "Names and texts fit."})
            if not reviewed["approvals"]["satisfied"]:
                _, reviewed = call("POST", f"/change-requests/{cid}/reviews", "carol",
                                   {"verdict": "approve", "comment": "Security review done."})
            if not reviewed["approvals"]["satisfied"]:
                raise SystemExit(f"not approved: {json.dumps(reviewed['approvals'])}")
            _, done = call("POST", f"/change-requests/{cid}/publish", "alice")
            published += len(batch)
            print(f"seed: {domain:14} part {part}: {len(batch):3} scopes -> catalog version "
                  f"{done['published_version']} ({have + published} scopes)", flush=True)
    print(f"seed: {have + published} scopes in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
