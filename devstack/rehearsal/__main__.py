import sys

from devstack.rehearsal.run import main

sys.exit(main())
