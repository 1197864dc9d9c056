"""The reports' tables written to a log or a pipe (no terminal, so no width to respect): every URL
and path stays whole on one line, whichever command printed it (ping and announce, deploy, publish)."""

from __future__ import annotations

import io

from rich.console import Console

from syndicate.delivery.console import print_report as print_delivery
from syndicate.delivery.notification import Endpoint, Notification, Outcome
from syndicate.delivery.report import DeliveryReport
from syndicate.deploy.console import print_report as print_deploy
from syndicate.deploy.report import DeployReport, Purge, Transfer
from syndicate.publish import PublishReport, StepResult
from syndicate.publish import print_report as print_publish

LONG_URL = "https://blog.example.org/" + "/".join(["ein-sehr-langer-pfad-mit-vielen-woertern"] * 4) + "/"
LONG_PATH = "cards/" + "/".join(["ein-sehr-langer-ordnername"] * 5) + ".1f2e3d4c.jpg"


def printed(print_report, report) -> list[str]:
    out = io.StringIO()
    print_report(report, Console(file=out, width=80, force_terminal=False))
    return out.getvalue().splitlines()


def test_a_delivery_table_keeps_every_url_whole():
    endpoint = Endpoint("websub", "https://hub.example.org/" + "x" * 60)
    notification = Notification(endpoint, LONG_URL, (), ((LONG_URL, "0" * 64),))
    report = DeliveryReport((endpoint,), (notification,), (Outcome(notification, True, 204, "204 No Content", 1, 0.1),),
                            False, 0.1)
    lines = printed(print_delivery, report)
    assert any(LONG_URL in line for line in lines) and any(endpoint.url in line for line in lines)


def test_a_deploy_table_keeps_every_path_whole():
    report = DeployReport("s3://bucket/site/", False, (Transfer("upload", LONG_PATH, 5000),), 3,
                          (Purge(f"purge {LONG_URL}", 2, True, "1 request(s) answered 2xx"),), 4, 0.5)
    lines = printed(print_deploy, report)
    assert any(LONG_PATH in line for line in lines) and any(LONG_URL in line for line in lines)


def test_a_publish_table_keeps_every_url_whole():
    report = PublishReport((StepResult("ping", "partial", f"1 failed: {LONG_URL} will be retried", 0.2),), 0.2)
    assert any(LONG_URL in line for line in printed(print_publish, report))
