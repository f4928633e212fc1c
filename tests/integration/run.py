#!/usr/bin/env python3
"""Runs the integration tests: every function test_* in every test_*.py here.

A test passes when it returns, is skipped when it raises lib.Skip (the reason
is printed), and fails on any other exception. Each line of output is
PASS/FAIL/SKIP and the test's name; the last line is the summary that
scripts/run-tests reads. Usage: run.py [substring-of-test-name ...]
"""
import importlib.util
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lib  # noqa: E402


def discover():
    for name in sorted(os.listdir(HERE)):
        if not (name.startswith("test_") and name.endswith(".py")):
            continue
        spec = importlib.util.spec_from_file_location(name[:-3], os.path.join(HERE, name))
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception:
            yield name[:-3], None, traceback.format_exc()
            continue
        for attr in sorted(vars(module)):
            fn = getattr(module, attr)
            if attr.startswith("test_") and callable(fn):
                yield f"{name[:-3]}.{attr}", fn, None


def main():
    wanted = sys.argv[1:]
    if "BIN_DIR" not in os.environ:
        lib.stage_programs()
    passed = failed = skipped = 0
    for name, fn, load_error in discover():
        if wanted and not any(w in name for w in wanted):
            continue
        if load_error:
            print(f"FAIL {name}: cannot load\n{load_error}", flush=True)
            failed += 1
            continue
        start = time.monotonic()
        try:
            fn()
        except lib.Skip as skip:
            print(f"SKIP {name}: {skip}", flush=True)
            skipped += 1
        except Exception:
            print(f"FAIL {name}\n{traceback.format_exc()}", flush=True)
            failed += 1
        else:
            print(f"PASS {name} ({time.monotonic() - start:.1f}s)", flush=True)
            passed += 1
    print(f"integration: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
