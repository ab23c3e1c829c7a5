#!/usr/bin/env python3
"""Parses an iCalendar file with the `icalendar` package (an independent parser, pinned in
scripts/python-env.sh) and prints what it read as JSON, for the playbook to assert on.

Also checks the raw text the parser forgives: every line ends with CRLF and is at most 75
octets (RFC 5545 section 3.1). Usage: ics_to_json.py FILE
"""
import json
import sys
from datetime import timezone

import icalendar


def utc(prop):
    """A DATE-TIME property as 2030-01-28T23:55:00Z; fails unless it is in UTC."""
    dt = prop.dt
    if dt.tzinfo is None or dt.utcoffset().total_seconds() != 0:
        raise SystemExit(f"not a UTC time: {prop.to_ical()!r}")
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def categories(prop):
    if prop is None:
        return []
    props = prop if isinstance(prop, list) else [prop]
    return [str(c) for p in props for c in p.cats]


def main():
    raw = open(sys.argv[1], "rb").read()
    lines = raw.split(b"\r\n")
    if lines[-1] != b"":
        raise SystemExit("the file does not end with CRLF")
    lines = lines[:-1]
    cal = icalendar.Calendar.from_ical(raw)
    if cal.errors:
        raise SystemExit(f"parse errors: {cal.errors}")
    events = []
    for e in cal.walk("VEVENT"):
        if e.errors:
            raise SystemExit(f"event parse errors: {e.errors}")
        events.append(
            {
                "uid": str(e["UID"]),
                "dtstamp": utc(e["DTSTAMP"]),
                "start": utc(e["DTSTART"]),
                "end": utc(e["DTEND"]),
                "summary": str(e["SUMMARY"]),
                "description": str(e.get("DESCRIPTION", "")),
                "status": str(e["STATUS"]),
                "sequence": int(e["SEQUENCE"]),
                "categories": categories(e.get("CATEGORIES")),
                "transp": str(e["TRANSP"]),
                "url": str(e.get("URL", "")) or None,
                "properties": sorted(e.keys()),
            }
        )
    print(
        json.dumps(
            {
                "version": str(cal["VERSION"]),
                "prodid": str(cal["PRODID"]),
                "calscale": str(cal["CALSCALE"]),
                "method": str(cal["METHOD"]),
                "name": str(cal["X-WR-CALNAME"]),
                "components": [c.name for c in cal.subcomponents],
                "events": events,
                "lines": len(lines),
                "bare_lf": b"\n" in raw.replace(b"\r\n", b""),
                "max_octets": max(len(line) for line in lines),
                "folded": sum(1 for line in lines if line.startswith(b" ")),
            }
        )
    )


if __name__ == "__main__":
    main()
