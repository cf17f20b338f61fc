"""Vững Bước: job and training matching for community reintegration."""
from setuptools import setup

setup(
    name="vungbuoc",
    version="0.1.0",
    description="Job and training-course matching for people returning from prison (Vietnam)",
    python_requires=">=3.11",
    packages=["indexer", "indexer.backends", "indexer.backends.embedded", "indexer.places",
              "matcher", "matcher.migrations", "matcher.services", "matcher.web",
              "vungbuoc_config"],
    package_dir={"vungbuoc_config": "config"},
    package_data={
        "vungbuoc_config": ["*.json", "*.toml", "*.py", "elasticsearch/*.json"],
        "indexer": ["sample_feeds/*.json", "sample_feeds/*.jsonl", "sample_feeds/*.csv",
                    "migrations/*.py", "migrations/*.mako", "migrations/versions/*.py"],
        "matcher": ["templates/*.html", "templates/**/*.html", "static/*", "static/**/*",
                    "translations/*/LC_MESSAGES/*", "migrations/versions/*.py"],
    },
    install_requires=[
        "flask>=3.1,<4",
        "Flask-WTF>=1.2,<2",
        "Flask-Babel>=4,<5",
        "argon2-cffi>=23.1",
        "marshmallow>=4,<5",
        "sqlalchemy>=2.0,<3",
        "scikit-learn>=1.5",
        "numpy>=1.26",
        "scipy>=1.11",
        "gunicorn>=23",
        "elasticsearch>=9,<10",
        # Fast JSON: the embedded index's log and projections, the Elasticsearch client.
        "orjson>=3.10",
        "mmh3>=4",
        "tqdm>=4.66",
        "apispec>=6.6,<7",
        "Flask-Limiter>=3.8,<5",
        # Schema migrations of the store and the officer tables (indexer.migrate).
        "alembic>=1.16,<2",
        # The gazetteer: the 34 provinces and 3,321 wards since 2025-07-01 with official
        # codes and centres, and the conversion of old three-level addresses (MIT; its
        # codes agree with vietnam-provinces 2026.9.0). Pinned: indexer.places reads its
        # dataset and converter tables, and a new release may change units or codes.
        "vietnamadminunits==1.0.4",
        # Fernet (authenticated encryption) for the offence category at rest.
        "cryptography>=44",
        # Password checks: its bundled list of common passwords, and its guessability score.
        "zxcvbn>=4.5,<5",
        # QR codes of referral-slip numbers, drawn server-side as inline SVG: pure Python,
        # no imaging library, maintained, ISO/IEC 18004 compliant. Pinned: tests compare
        # its matrix.
        "segno==1.6.6",
        # The dashboard's XLSX export. Pinned: the export's cells (types, escaping) were
        # checked against this version.
        "openpyxl==3.1.5",
        # E-mail addresses of the digest: syntax checked (RFC 5321/5322, IDN), no DNS.
        "email-validator>=2.2,<3",
        # The in-app help page renders the officer's guide (docs/huong-dan-can-bo.md).
        "markdown>=3.6,<4",
    ],
    extras_require={
        "postgres": ["psycopg[binary]>=3.2"],
        "redis": ["redis>=5"],
        # make bench / bench-full (also needs Debian's wrk for the HTTP load).
        # bm25s: the peer row of stage 1 (BM25 over sparse matrices, the fastest Python
        # BM25 we know of); pinned, since its scores and speed are what the row compares.
        "bench": ["matplotlib>=3.8", "pyinstrument>=5", "py-spy>=0.4", "bm25s==0.3.16"],
        # make quality's baselines: rank_bm25 (the reference Okapi BM25 implementation, which
        # the dev set's reference figures match), PyStemmer (the Snowball stemmers, in C).
        "quality": ["rank-bm25>=0.2.2", "PyStemmer>=2.2"],
        "test": ["pytest>=8", "pytest-timeout>=2.3", "jsonschema>=4.18", "pyyaml>=6",
                 "check-jsonschema>=0.29",
                 # OpenAPI conformance of the served document (tests/matcher/
                 # test_partner_fuzz.py). Pinned: its checks and generation change between
                 # releases, and the CI run is derandomized on this version.
                 "schemathesis==4.32.5",
                 # Stateful model-based tests of the index invariant.
                 "hypothesis>=6.100",
                 # The quality test compares with BM25 on a slice of the dev set.
                 "rank-bm25>=0.2.2",
                 # Drives Debian's /usr/bin/chromium; never run `playwright install`.
                 "playwright>=1.45",
                 # A real SMTP server on 127.0.0.1 for the digest test (pinned).
                 "aiosmtpd==1.4.6",
                 # axe-core (bundled) run through Playwright: accessibility of the pages.
                 "axe-playwright-python==0.1.8",
                 # Decodes the QR code of a slip from the browser's screenshot (ZXing's C++
                 # port; a wheel, no system library).
                 "zxing-cpp==3.1.1"],
    },
    entry_points={
        "console_scripts": [
            "indexer=indexer.cli:main",
            "matcher=matcher.cli:main",
        ]
    },
)
