"""``python -m tasktui``. Imported, as a worker process of tasktui.core.pool may
import the program's main module, it starts nothing."""

from tasktui.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
