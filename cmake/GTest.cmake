# GoogleTest: the installed package when there is one (Debian: libgtest-dev), otherwise built
# from source — Debian's copy in /usr/src/googletest (package googletest) when present, a
# pinned release fetched at configure time when not.
#
# An installed GoogleTest is compiled against the system's standard library (libstdc++ on
# Linux); a build with clang++ -stdlib=libc++ cannot link it (std::string differs), so with
# libc++ GoogleTest is always built from source, with the project's own flags. So it is when
# cross-compiling (cmake/aarch64-linux-gnu.cmake): the installed copy is for the build machine.
include(CheckCXXSourceCompiles)
check_cxx_source_compiles("#include <version>
#ifndef _LIBCPP_VERSION
#error not libc++
#endif
int main() {}" BG_USES_LIBCXX)

if(NOT BG_USES_LIBCXX AND NOT CMAKE_CROSSCOMPILING)
  find_package(GTest QUIET)
endif()
if(NOT GTest_FOUND)
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
  if(EXISTS /usr/src/googletest/CMakeLists.txt)
    message(STATUS "GoogleTest: building /usr/src/googletest")
    add_subdirectory(/usr/src/googletest ${CMAKE_BINARY_DIR}/googletest EXCLUDE_FROM_ALL)
  else()
    message(STATUS "GoogleTest not installed: fetching release 1.14.0")
    include(FetchContent)
    FetchContent_Declare(googletest
      URL https://github.com/google/googletest/archive/refs/tags/v1.14.0.tar.gz
      URL_HASH SHA256=8ad598c73ad796e0d8280b082cebd82a630d73e73cd3c70057938a6501bba5d7)
    FetchContent_MakeAvailable(googletest)
  endif()
  if(NOT TARGET GTest::gtest)
    add_library(GTest::gtest ALIAS gtest)
  endif()
endif()
