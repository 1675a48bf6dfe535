"""python -m clcnn.ray: the `clcnn-ray` command."""
import sys

from .cli import main

sys.exit(main())
