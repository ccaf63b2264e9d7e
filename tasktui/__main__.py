"""``python -m tasktui``. A worker process of tasktui.core.pool imports the program's
main module: imported, this one does nothing (not even import the program)."""

if __name__ == "__main__":
    from tasktui.cli import main

    raise SystemExit(main())
