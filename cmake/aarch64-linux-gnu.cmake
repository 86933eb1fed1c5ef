# Cross-compiling for 64-bit ARM Linux (aarch64) on an x86-64 Debian/Ubuntu machine, and
# running what is built under user-mode QEMU. CI uses it (tools/aarch64.sh); the project's
# own build needs none of it.
#   packages: g++-aarch64-linux-gnu (brings libc6-dev-arm64-cross), qemu-user
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
#
# The target is plain ARMv8-A (every 64-bit ARM core, Apple Silicon included): NEON and its
# fused multiply-add are part of it (bg/kernels/muladd.h). -march=native means nothing for
# another machine, so CMakeLists.txt leaves it out when cross-compiling.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_C_FLAGS_INIT "-march=armv8-a")
set(CMAKE_CXX_FLAGS_INIT "-march=armv8-a")

# Libraries and headers come from the target's tree only; programs (cmake's own tools) from
# the host. GoogleTest is therefore never the host's installed copy: cmake/GTest.cmake builds
# it from source with this compiler.
set(BG_AARCH64_SYSROOT /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH ${BG_AARCH64_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Every aarch64 program the build or the tests run goes through QEMU: gtest_discover_tests
# lists each test binary's tests right after linking it, and ctest runs every test with it.
# -L: where QEMU finds the target's dynamic loader and shared libraries.
find_program(BG_QEMU_AARCH64 qemu-aarch64)
if(NOT BG_QEMU_AARCH64)
  message(FATAL_ERROR "qemu-aarch64 not found (Debian/Ubuntu: apt-get install qemu-user)")
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR ${BG_QEMU_AARCH64} -L ${BG_AARCH64_SYSROOT})
