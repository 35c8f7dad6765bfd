#!/usr/bin/env python3
"""Scaffold one Lambda per new route: functions/src/bin/<name>.rs, infra/events/<name>.json and
a template.yaml function + log group block (inserted before the alarms section).

    infra/scripts/add-function.py <name> <METHOD> </v1/path/{param}> [--sms] [--public]

The route itself goes into shared/core/src/http/routes.rs and openapi.yaml by hand;
tests/tests/route_table.rs fails until all of them agree."""
import json, pathlib, re, sys

root = pathlib.Path(__file__).resolve().parents[2]
args = [a for a in sys.argv[1:] if not a.startswith("--")]
flags = {a for a in sys.argv[1:] if a.startswith("--")}
if len(args) != 3:
    sys.exit(__doc__)
name, method, path = args
camel = "".join(p.capitalize() for p in name.split("_"))

(root / f"functions/src/bin/{name}.rs").write_text(f'''//! Lambda: the `{name}` route of the StatX API (see `statx_core::http::routes`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {{
    statx_functions::serve("{name}").await
}}
''')

params = dict(re.findall(r"\{(\w+)\}", path) and [(p, "aaaaaaaaaaaaaaaaaaaaaaaaaa") for p in re.findall(r"\{(\w+)\}", path)])
raw_path = path
for p, v in params.items():
    raw_path = raw_path.replace("{" + p + "}", v)
headers = {"accept": "application/json", "host": "abcdef1234.execute-api.us-east-1.amazonaws.com",
           "user-agent": "statx-ios/1.0", "x-forwarded-for": "203.0.113.10", "x-forwarded-port": "443",
           "x-forwarded-proto": "https"}
if "--public" not in flags:
    headers["x-api-key"] = "aaaaaaaaaaaaaaaaaaaaaaaaaa"
    headers["x-auth-token"] = "b" * 52
event = {"version": "2.0", "routeKey": f"{method} {path}", "rawPath": raw_path, "rawQueryString": "",
         "headers": headers,
         "requestContext": {"accountId": "123456789012", "apiId": "abcdef1234",
                            "domainName": "abcdef1234.execute-api.us-east-1.amazonaws.com",
                            "domainPrefix": "abcdef1234",
                            "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1",
                                     "sourceIp": "203.0.113.10", "userAgent": "statx-ios/1.0"},
                            "requestId": "JKJaXmPLvHcESHA=", "routeKey": f"{method} {path}",
                            "stage": "$default", "time": "25/Nov/2026:08:00:00 +0000",
                            "timeEpoch": 1795593600000},
         "isBase64Encoded": False}
if params:
    event["pathParameters"] = params
if method in ("POST", "PUT", "PATCH"):
    event["body"] = "{}"
(root / f"infra/events/{name}.json").write_text(json.dumps(event, indent=2) + "\n")

sms = "\n        - Ref: SmsSendPolicy" if "--sms" in flags else ""
block = f'''  {camel}Function:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: rust-cargolambda
      BuildProperties: {{Binary: {name}}}
      checkov:
        skip:
          - {{id: CKV_AWS_115, comment: "API route throttling caps invocations; see template header"}}
          - {{id: CKV_AWS_116, comment: "Invoked synchronously by API Gateway: a DLQ never receives anything"}}
          - {{id: CKV_AWS_117, comment: "Only calls AWS APIs over TLS+SigV4; no private network to reach"}}
    Properties:
      FunctionName:
        Fn::Sub: "statx-${{Stage}}-{name}"
      LoggingConfig:
        LogGroup:
          Ref: {camel}LogGroup
      Policies:
        - Ref: StoreAccessPolicy{sms}
      Events:
        Api:
          Type: HttpApi
          Properties:
            ApiId:
              Ref: HttpApi
            Method: {method}
            Path: {path}
  {camel}LogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName:
        Fn::Sub: "/aws/lambda/statx-${{Stage}}-{name}"
      RetentionInDays: 365
      KmsKeyId:
        Fn::GetAtt: [Key, Arn]
'''
tpl = root / "template.yaml"
text = tpl.read_text()
marker = "\n  # ---------------------------------------------------------------- alarms\n"
if f"  {camel}Function:" in text:
    sys.exit(f"{camel}Function already in template.yaml")
assert marker in text, "alarms marker not found in template.yaml"
tpl.write_text(text.replace(marker, "\n" + block + marker, 1))
print(f"added {name}: functions/src/bin/{name}.rs, infra/events/{name}.json, template.yaml {camel}Function")
