import sys

from sitepulse.cli import main

sys.exit(main())
