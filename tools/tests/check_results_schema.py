#!/usr/bin/env python3
"""results.json against docs/results.schema.json, with a second implementation of the schema.

Runs `mikeyconf run` twice against the embedded reference KMS -- a handful of passing cases, and
the three-party cases with a profile whose KMS lacks the type-2 ticket key (so one case fails)
-- and validates both results.json files with the `jsonschema` package (Debian
python3-jsonschema, scripts/bootstrap). `mikeyconf decode --json` must match
$defs/decoded_message too. Then the negative checks: a wrong verdict string, a missing key, an
unknown top-level key, a suite digest that is not SHA-256 hex, sut_info without a key and a run
without `interrupted` are rejected, so the check can fail; a suite whose digest is not known
("" and null) is accepted.
"""
import argparse
import copy
import json
import pathlib
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    sys.exit('python3-jsonschema is missing: run scripts/bootstrap')

# The reference profile's type-2 ticket key; without it kms.three-party.type2-provisional fails
# (RFC 6043 §6.10 Ticket Policy).
TYPE_TWO_KEY = ('    - id: tpk-2\n'
                '      format: type2\n'
                '      tpk: a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n')


def errors_of(validator, doc, limit=5):
    out = []
    for e in validator.iter_errors(doc):
        out.append('/'.join(str(p) for p in e.absolute_path) + ': ' + e.message[:300])
        if len(out) == limit:
            break
    return out


def run(args, cmd, expect):
    p = subprocess.run([args.mikeyconf] + cmd, capture_output=True, text=True, check=False)
    if p.returncode != expect:
        sys.exit(f'mikeyconf {" ".join(cmd)}: exit {p.returncode}, expected {expect}\n'
                 f'{p.stdout}{p.stderr}')
    return p.stdout


def real_runs(args, work):
    """The two runs' results.json, parsed."""
    profile = pathlib.Path(args.cases, 'profiles', 'reference.yaml').read_text()
    if TYPE_TWO_KEY not in profile:
        sys.exit('cases/profiles/reference.yaml no longer holds the type-2 ticket key')
    faulty = work / 'no-type2-key.yaml'
    faulty.write_text(profile.replace(TYPE_TWO_KEY, ''))
    common = ['run', '--cases', args.cases, '--no-progress', '--out']
    run(args, common + [str(work / 'pass'), '--filter', 'kms.http.*'], 0)
    run(args, common + [str(work / 'fail'), '--embedded', '--sut', str(faulty),
                        '--filter', 'kms.three-party.*'], 1)
    docs = {}
    for name in ('pass', 'fail'):
        docs[name] = json.loads((work / name / 'results.json').read_text())
    verdicts = {c['verdict'] for c in docs['fail']['cases']}
    if 'fail' not in verdicts or 'pass' not in verdicts:
        sys.exit(f'the faulty run should hold passes and a failure, has {sorted(verdicts)}')
    return docs


def negative_checks(validator, doc):
    """Each altered copy of `doc` must be rejected, each extended copy accepted."""
    problems = []
    rejected = {
        'a wrong verdict string': lambda d: d['cases'][0].update(verdict='passed'),
        'a missing summary count': lambda d: d['summary'].pop('xfail'),
        'an unknown top-level key': lambda d: d.update(comment='x'),
        'an unknown key in a decoded message': lambda d: d['cases'][0]['transcript'][0]
        ['mikey_built'].update(parse_error={}),
        'a suite digest that is not SHA-256 hex': lambda d: d['suite'].update(digest='sha256:00'),
        'sut_info without its version': lambda d: d['sut_info'].pop('version'),
        'a run without its interrupted flag': lambda d: d.pop('interrupted'),
    }
    for what, change in rejected.items():
        bad = copy.deepcopy(doc)
        change(bad)
        if validator.is_valid(bad):
            problems.append(f'the schema accepts {what}')
    # What the runs here do not show: a suite whose digest could not be computed.
    unknown_suite = copy.deepcopy(doc)
    unknown_suite.update(suite={'digest': '', 'matches_shipped': None})
    problems += ['unknown suite: ' + e for e in errors_of(validator, unknown_suite)]
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--mikeyconf', required=True)
    ap.add_argument('--cases', required=True)
    ap.add_argument('--schema', required=True)
    ap.add_argument('--message', required=True, help='a hex MIKEY message for decode --json')
    ap.add_argument('--workdir', required=True)
    args = ap.parse_args()
    work = pathlib.Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)

    schema = json.loads(pathlib.Path(args.schema).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    docs = real_runs(args, work)
    for name, doc in docs.items():
        problems += [f'{name} run: {e}' for e in errors_of(validator, doc)]

    decoded = json.loads(run(args, ['decode', '--json', args.message], 0))
    if decoded.pop('input_format', None) is None:
        problems.append('decode --json has no input_format')
    message_schema = dict(schema['$defs']['decoded_message'], **{'$defs': schema['$defs']})
    problems += ['decode --json: ' + e
                 for e in errors_of(jsonschema.Draft202012Validator(message_schema), decoded)]

    problems += negative_checks(validator, docs['fail'])
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f'results.json of both runs ({sum(len(d["cases"]) for d in docs.values())} cases) and '
          'decode --json match the schema; the negative checks are rejected')
    return 0


if __name__ == '__main__':
    sys.exit(main())
