"""Extract the bundled fixture pages and print a summary table (works offline)."""
from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def add_arguments(parser) -> None:
    parser.add_argument("-o", "--output", default="out/demo.jsonl", help="where the records go")


def run(args) -> int:
    from cleaners import extract
    from crawler.output import emit

    pages = sorted((FIXTURES / "pages").rglob("*.html"))
    records = []
    print(f"{'page':<44} {'title':<40} {'authors':<22} {'date':<10} {'words':>5} {'removed':>7}")
    for path in pages:
        article = extract(path.read_bytes(), url=None)
        name = str(path.relative_to(FIXTURES / "pages"))
        if article is None:
            print(f"{name:<44} (not an article)")
            continue
        record = article.to_dict()
        records.append(record)
        print(f"{name[:44]:<44} {(record['title'] or '')[:40]:<40} {', '.join(record['authors'])[:22]:<22} "
              f"{(record['date_published'] or '')[:10]:<10} {record['word_count']:>5} {len(record['removed']):>7}")
    emit(records, "jsonl", args.output)
    print(f"\n{len(records)} records written to {Path(args.output).resolve()}")
    return 0
