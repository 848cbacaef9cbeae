#!/usr/bin/env python3
"""Prints the slowest tests of a `dotnet test --logger trx` run: where the suite's time goes.

  slowest-tests.py RESULTS_DIR [N]
"""
import glob
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"


def seconds(duration):
    h, m, s = duration.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


rows = []
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    root = ET.parse(path).getroot()
    for result in root.iter(NS + "UnitTestResult"):
        if result.get("duration"):
            rows.append((seconds(result.get("duration")), result.get("testName", "?"), result.get("outcome", "?")))
rows.sort(reverse=True)
n = int(sys.argv[2]) if len(sys.argv) > 2 else 15
print("slowest %d of %d tests (%.0f s of test time in all; projects run side by side):" % (min(n, len(rows)), len(rows), sum(r[0] for r in rows)))
for took, name, outcome in rows[:n]:
    print("  %6.1f s  %s%s" % (took, name[-150:], "" if outcome == "Passed" else "  (" + outcome + ")"))
