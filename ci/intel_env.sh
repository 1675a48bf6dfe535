# ci/intel_env.sh — sourced by ci/intel.sh and ci/fp16.sh: installs Intel's
# OpenCL CPU runtime (oneAPI, from PyPI) idempotently into a venv inside the
# project (build-intel-ocl/, git-ignored as build*/), registers it with the
# ICD loader through OCL_ICD_VENDORS (which replaces the system vendor
# directory: so the folder holds a copy of POCL's .icd too, and nothing is
# written outside the project), and checks that clcnn lists Intel's platform.
#
# Needs ROOT (the repository) and BUILD (a build dir with clcnn) set by the
# caller; reads INTEL_OCL_DIR (default $ROOT/build-intel-ocl). Exports
# OCL_ICD_VENDORS and INTEL_OCL_DIR. Returns 1 (with a message on stderr)
# when the install fails or the platform is not listed.

INTEL_OCL_DIR=${INTEL_OCL_DIR:-$ROOT/build-intel-ocl}
export INTEL_OCL_DIR

intel_env_setup() {
    # A venv whose intel-opencl-rt imports nothing, so the check is the library file itself.
    local dir=$INTEL_OCL_DIR lib="$INTEL_OCL_DIR/venv/lib/libintelocl.so" name
    name=$(basename "$0")
    if [ ! -e "$lib" ]; then
        echo "$name: installing intel-opencl-rt + intel-cmplr-lib-rt into $dir/venv"
        python3 -m venv "$dir/venv" &&
            "$dir/venv/bin/pip" install -q intel-opencl-rt intel-cmplr-lib-rt || return 1
    fi
    [ -e "$lib" ] || { echo "$name: $lib missing after install" >&2; return 1; }
    # The wheel's own .icd names a placeholder prefix (/opt/anaconda1anaconda2...):
    # ours names the library by absolute path; libintelocl finds its siblings
    # through its $ORIGIN runpath, so no LD_LIBRARY_PATH (which would also put the
    # wheel's libOpenCL.so ahead of the system ICD loader).
    mkdir -p "$dir/vendors" || return 1
    echo "$lib" >"$dir/vendors/intel-cpu.icd" || return 1
    if [ -f /etc/OpenCL/vendors/pocl.icd ]; then
        cp /etc/OpenCL/vendors/pocl.icd "$dir/vendors/pocl.icd" || return 1
    fi
    export OCL_ICD_VENDORS="$dir/vendors"
    if ! "$BUILD/clcnn" devices | grep -q "platform: Intel(R) OpenCL"; then
        echo "$name: the ICD loader does not list Intel's platform" >&2
        "$BUILD/clcnn" devices >&2
        return 1
    fi
}
