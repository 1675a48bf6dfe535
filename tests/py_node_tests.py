#!/usr/bin/env python3
"""py_node_tests.py — CTest's entry for the ONNX backend node tests
(tests/onnx_node/run_node_tests.py: generated from the installed onnx
package, every op host/core/op_list.h claims, on ref and the OpenCL CPU
device). tests/CMakeLists.txt globs py_*.py and runs this through pyreport.py
with --clcnn and --shared; docs/node_tests.md explains the suite."""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the shared source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "onnx_node"))
import run_node_tests  # noqa: E402

if __name__ == "__main__":
    sys.exit(run_node_tests.main())
