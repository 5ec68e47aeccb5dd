import sys

from phasekpi.cli import main

sys.exit(main())
