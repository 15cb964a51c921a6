#!/usr/bin/env python3
"""Which @app scenarios catch each broken application.

    python3 adapters/python/broken/catch.py [--mailoauth BIN] [--tags EXPR] [NAME ...]

Runs `mailoauth run --tags @app` with the reference Python application, then with
each broken one (all of broken/*.py, or the NAMEs given), and prints, per broken
application, the scenarios that failed with it and passed with the reference: the
`caught_by` lists of catalogue.yaml. Exits 1 when a broken application is caught
by no scenario.
"""

import argparse
import glob
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, "..", "mailoauth_adapter.py")


def outcomes(mailoauth, tags, script, report_dir):
    """Run the suite with script as the application; answer {scenario: outcome}."""
    cmd = [mailoauth, "run", "--tags", tags, "--app", "python3 " + script, "--report-dir", report_dir]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    result = {}
    for case in ET.parse(os.path.join(report_dir, "junit.xml")).iter("testcase"):
        outcome, why = "passed", ""
        for child in case:
            if child.tag in ("failure", "error") and outcome != "failed":
                outcome, why = "failed", " ".join((child.get("message") or "").split())
            elif child.tag == "skipped" and outcome == "passed":
                outcome = "skipped"
        result[case.get("name")] = (outcome, why)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mailoauth", default="mailoauth", help="the mailoauth binary")
    ap.add_argument("--tags", default="@app")
    ap.add_argument("names", nargs="*", help="broken applications (file names without .py); default all")
    args = ap.parse_args()
    names = args.names or sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(HERE, "*.py"))
                                 if not p.endswith("catch.py"))
    with tempfile.TemporaryDirectory() as tmp:
        ref = outcomes(args.mailoauth, args.tags, REFERENCE, os.path.join(tmp, "reference"))
        bad_ref = sorted(n for n, (o, _) in ref.items() if o == "failed")
        if bad_ref:
            print("# the reference application fails (not counted): %s" % "; ".join(bad_ref), file=sys.stderr)
        uncaught = []
        for name in names:
            got = outcomes(args.mailoauth, args.tags, os.path.join(HERE, name + ".py"), os.path.join(tmp, name))
            caught = sorted(n for n, (o, _) in got.items() if o == "failed" and ref.get(n, ("",))[0] == "passed")
            print("%s.py:" % name)
            for n in caught:
                print("  - %s\n    # %s" % (n, got[n][1][:300]))
            if not caught:
                uncaught.append(name)
        if uncaught:
            print("# caught by no scenario: %s" % ", ".join(uncaught), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
