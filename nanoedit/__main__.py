import sys

from nanoedit.cli import main

sys.exit(main())
