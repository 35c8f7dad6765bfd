#!/usr/bin/env python3
"""Contract fuzz: schemathesis against a fresh local API, with signed-in users and real ids.

    infra/scripts/fuzz.py [--examples N] [--seed S] [--binary PATH] [--keep]

Starts `statx-local-api` (built by `cargo build -p statx-local-api`; `--binary` or the cargo
target directory) on a free port with a temporary STATX_DATA_DIR, signs users in through
login, the code from `<data>/outbox/sms.jsonl` and verifyCode, builds fixtures (a public group
with a stat that has history, a member, followers, a thread, a follow link, an attachment,
invitations; throwaway ones for the deleting routes), writes a schemathesis.toml that gives
every path parameter a real id and every operation the credentials of the right user, and runs
`schemathesis run openapi.yaml` with positive and negative data and the conformance checks.
Any failure (a 5xx included) makes the exit status non-zero.

Standard library and schemathesis only (run it with the .venv python).
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
]


class Api:
    def __init__(self, base: str, data_dir: Path):
        self.base = base
        self.data_dir = data_dir
        self.phone_seq = 0

    def call(self, method, path, body=None, creds=None, expect=(200, 201, 202)):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if creds:
            req.add_header("X-API-KEY", creds["apiKey"])
            req.add_header("X-Auth-Token", creds["authToken"])
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        if expect and status not in expect:
            raise SystemExit(f"fixture {method} {path}: {status} {text}")
        return json.loads(text) if text else None

    def phone(self) -> str:
        self.phone_seq += 1
        return f"+1415{2 + self.phone_seq % 8}55{self.phone_seq:04d}"

    def code_for(self, phone: str) -> str:
        outbox = self.data_dir / "outbox" / "sms.jsonl"
        for _ in range(100):
            if outbox.exists():
                for line in reversed(outbox.read_text().splitlines()):
                    sms = json.loads(line)
                    if sms["to"] == phone:
                        words = "".join(c if c.isdigit() else " " for c in sms["text"]).split()
                        return next(w for w in words if len(w) == 6)
            time.sleep(0.05)
        raise SystemExit(f"no SMS code for {phone}")

    def sign_in(self, phone=None, name="Fuzz"):
        """A new client; for a new number (no `phone`) a new user with display name `name`."""
        new_user = phone is None
        phone = phone or self.phone()
        login = self.call("POST", "/v1/auth/login", {"phoneNumber": phone, "clientName": name})
        creds = self.call(
            "POST",
            "/v1/auth/verifyCode",
            {
                "clientId": login["clientId"],
                "phoneNumber": phone,
                "verificationCode": self.code_for(phone),
            },
        )
        creds["phone"] = phone
        creds["clientId"] = login["clientId"]
        if new_user:
            self.call("PATCH", "/v1/me", {"displayName": name}, creds)
        return creds


def headers(creds) -> dict:
    return {"X-API-KEY": creds["apiKey"], "X-Auth-Token": creds["authToken"]}


def fixtures(api: Api) -> dict:
    """Users and ids; returns {operationId: (creds, {param: value})} plus the default user."""
    a = api.sign_in(name="Admin")
    a_extra = api.sign_in(a["phone"], name="Second client")  # revoked by revoke_client
    a_logout = api.sign_in(a["phone"], name="Third client")  # signed out by logout
    b = api.sign_in(name="Member")
    c = api.sign_in(name="Follower")
    d = api.sign_in(name="Blocked follower")
    e = api.sign_in(name="Leaving member")

    group = api.call("POST", "/v1/groups", {"name": "Fuzz", "kind": "public"}, a)
    g = group["id"]
    throwaway_group = api.call("POST", "/v1/groups", {"name": "Doomed"}, a)["id"]

    def join(user, gid):
        inv = api.call("POST", f"/v1/groups/{gid}/members", {"phoneNumber": user["phone"]}, a)
        api.call("POST", f"/v1/invitations/{inv['invitationId']}/accept", None, user)

    join(b, g)
    join(e, g)
    members = api.call("GET", f"/v1/groups/{g}/members", None, a)["data"]
    by_name = {m["displayName"]: m["id"] for m in members}
    pending = api.call("POST", f"/v1/groups/{g}/members", {"phoneNumber": api.phone()}, a)

    # Invitations to the admin, from groups of the member.
    b_group = api.call("POST", "/v1/groups", {"name": "Other"}, b)["id"]
    to_a = api.call("POST", f"/v1/groups/{b_group}/members", {"phoneNumber": a["phone"]}, b)
    b_group2 = api.call("POST", "/v1/groups", {"name": "Another"}, b)["id"]
    to_a2 = api.call("POST", f"/v1/groups/{b_group2}/members", {"phoneNumber": a["phone"]}, b)

    stat = api.call(
        "POST", f"/v1/groups/{g}/stats", {"title": "Score", "visualType": "NUMBER", "value": "1"}, a
    )
    s = stat["id"]
    for v in ("2", "3", "5"):
        api.call("PUT", f"/v1/groups/{g}/stats/{s}", {"value": v}, a)
    doomed_stat = api.call(
        "POST", f"/v1/groups/{g}/stats", {"title": "Doomed", "visualType": "NUMBER"}, a
    )["id"]
    att_body = {"fileName": "a.txt", "contentType": "text/plain", "size": 3}
    att = api.call("POST", f"/v1/groups/{g}/stats/{s}/attachments", att_body, a)["id"]
    doomed_att = api.call("POST", f"/v1/groups/{g}/stats/{s}/attachments", att_body, a)["id"]

    link = api.call("POST", f"/v1/groups/{g}/links", {}, a)
    doomed_link = api.call("POST", f"/v1/groups/{g}/links", {"maxUses": 5}, a)["id"]
    api.call("POST", f"/v1/follow/{link['token']}", None, c)
    api.call("POST", f"/v1/follow/{link['token']}", None, d)
    api.call("POST", f"/v1/groups/{g}/threads/mine/messages", {"text": "hello"}, c)
    api.call("POST", f"/v1/groups/{g}/messages", {"text": "hi all"}, a)
    threads = api.call("GET", f"/v1/groups/{g}/threads", None, a)["data"]
    followers = api.call("GET", f"/v1/groups/{g}/followers", None, a)["data"]
    c_me = api.call("GET", "/v1/me", None, c)
    d_me = api.call("GET", "/v1/me", None, d)
    del c_me, d_me
    blockable = next(f["id"] for f in followers if f["id"] != threads[0]["id"])

    device = api.call(
        "POST", "/v1/devices", {"platform": "GCM", "token": "fuzz-token"}, a, expect=None
    )
    device_id = device.get("id", "dev_unknown") if isinstance(device, dict) else "dev_unknown"

    common = {"groupId": g, "statId": s}
    ops = {
        "revoke_client": (a, {"clientId": a_extra["clientId"]}),
        "logout": (a_logout, {}),
        "delete_group": (a, {"groupId": throwaway_group}),
        "update_member": (a, {"groupId": g, "memberId": by_name["Member"]}),
        "remove_member": (a, {"groupId": g, "memberId": by_name["Leaving member"]}),
        "cancel_invitation": (a, {"groupId": g, "invitationId": pending["invitationId"]}),
        "accept_invitation": (a, {"invitationId": to_a["invitationId"]}),
        "decline_invitation": (a, {"invitationId": to_a2["invitationId"]}),
        "delete_stat": (a, {"groupId": g, "statId": doomed_stat}),
        "get_attachment": (a, {**common, "attachmentId": att}),
        "delete_attachment": (a, {**common, "attachmentId": doomed_att}),
        "delete_device": (a, {"deviceId": device_id}),
        "delete_follow_link": (a, {"groupId": g, "linkId": doomed_link}),
        "preview_follow": (c, {"token": link["token"]}),
        "follow_group": (c, {"token": link["token"]}),
        "unfollow_group": (c, {"groupId": g}),
        "list_my_thread_messages": (c, {"groupId": g}),
        "post_my_thread_message": (c, {"groupId": g}),
        "list_thread_messages": (a, {"groupId": g, "threadId": threads[0]["id"]}),
        "post_thread_message": (a, {"groupId": g, "threadId": threads[0]["id"]}),
        "block_follower": (a, {"groupId": g, "followerId": blockable}),
        "unblock_follower": (a, {"groupId": g, "followerId": blockable}),
        "mute_group": (b, {"groupId": g}),
    }
    return {"default": (a, common), "ops": ops}


def toml_value(v) -> str:
    return json.dumps(v)  # a JSON string is a valid TOML basic string


def write_config(path: Path, base: str, fx: dict, examples: int, seed: int) -> None:
    a, common = fx["default"]
    lines = [
        f"seed = {seed}",
        f"base-url = {toml_value(base)}",
        "workers = 1",
        "request-timeout = 30.0",
        'suppress-health-check = ["all"]',
        "[generation]",
        'mode = "all"',
        f"max-examples = {examples}",
        "database = \"none\"",
        "[checks]",
        "enabled = false",
    ]
    for check in CHECKS:
        lines += [f"[checks.{check}]", "enabled = true"]
    lines += ["[phases.stateful]", "enabled = false"]
    lines.append("[headers]")
    lines += [f"{k} = {toml_value(v)}" for k, v in headers(a).items()]
    lines.append("[parameters]")
    lines += [f'"path.{k}" = {toml_value(v)}' for k, v in common.items()]
    for op, (creds, params) in fx["ops"].items():
        lines += ["[[operations]]", f"include-operation-id = {toml_value(op)}"]
        lines.append(
            "headers = { " + ", ".join(f"{k} = {toml_value(v)}" for k, v in headers(creds).items()) + " }"
        )
        if params:
            lines.append(
                "parameters = { "
                + ", ".join(f'"path.{k}" = {toml_value(v)}' for k, v in params.items())
                + " }"
            )
    path.write_text("\n".join(lines) + "\n")


def check_examples(doc: dict) -> list:
    """Every `example` in the document validates against the schema it belongs to."""
    import jsonschema  # installed with schemathesis
    from openapi_schema_validator import OAS30Validator  # idem

    problems = []

    def schema_of(node):
        return {**node, "components": doc["components"]}

    def walk(node, where):
        if isinstance(node, dict):
            if "example" in node and ("type" in node or "allOf" in node or "$ref" in node):
                target = {k: v for k, v in node.items() if k != "example"}
                try:
                    OAS30Validator(schema_of(target)).validate(node["example"])
                except jsonschema.ValidationError as e:
                    problems.append(f"{where}: example {node['example']!r}: {e.message}")
            if "example" in node and "schema" in node:
                try:
                    OAS30Validator(schema_of(node["schema"])).validate(node["example"])
                except jsonschema.ValidationError as e:
                    problems.append(f"{where}: example {node['example']!r}: {e.message}")
            for k, v in node.items():
                walk(v, f"{where}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}/{i}")

    walk(doc, "#")
    return problems


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_binary(arg) -> Path:
    if arg:
        return Path(arg)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not target.is_absolute():
        target = ROOT / target
    return target / "debug" / "statx-local-api"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--examples", type=int, default=3, help="max examples per operation and phase")
    p.add_argument("--seed", type=int, default=1313)
    p.add_argument("--binary", help="statx-local-api binary (default: the cargo target dir)")
    p.add_argument("--keep", action="store_true", help="keep the data directory and config")
    args = p.parse_args()

    import yaml  # installed with schemathesis

    doc = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    problems = check_examples(doc)
    if problems:
        print("fuzz: schema examples that do not validate:\n  " + "\n  ".join(problems))
        return 1
    print("fuzz: every schema example validates against its schema")

    binary = find_binary(args.binary)
    if not binary.exists():
        print(f"fuzz: {binary} missing (cargo build -p statx-local-api)", file=sys.stderr)
        return 2
    st = Path(sys.executable).parent / "schemathesis"
    work = Path(tempfile.mkdtemp(prefix="statx-fuzz-"))
    port = free_port()
    env = {
        **os.environ,
        "STATX_DATA_DIR": str(work / "data"),
        "STATX_PORT": str(port),
        # Every request comes from 127.0.0.1 and the fixtures sign one number in several times: no
        # per-IP, per-number-cooldown or global SMS cap in the way (the other limits stay; 429
        # answers are documented).
        "STATX_LOGINS_PER_IP_HOUR": "100000",
        "STATX_SMS_PER_MINUTE": "100000",
        "STATX_SMS_COOLDOWN_SECS": "0",
        "RUST_LOG": os.environ.get("RUST_LOG", "warn"),
    }
    env.pop("STATX_BACKEND", None)
    log = open(work / "server.log", "w")
    server = subprocess.Popen([str(binary)], env=env, stdout=log, stderr=subprocess.STDOUT)
    started = time.monotonic()
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit(f"server exited: {(work / 'server.log').read_text()}")
                time.sleep(0.05)
        api = Api(base, work / "data")
        fx = fixtures(api)
        config = work / "schemathesis.toml"
        write_config(config, base, fx, args.examples, args.seed)
        cmd = [
            str(st),
            "--config-file",
            str(config),
            "run",
            str(ROOT / "openapi.yaml"),
            "--url",
            base,
        ]
        print("fuzz:", " ".join(cmd), flush=True)
        rc = subprocess.call(cmd, cwd=work)
        print(f"fuzz: {'passed' if rc == 0 else 'FAILED'} in {time.monotonic() - started:.0f} s")
        return rc
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        if args.keep:
            print(f"fuzz: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
