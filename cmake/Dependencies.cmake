# Debian 12 packages (scripts/install_deps.sh installs them).
find_package(tomlplusplus REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)

# Random123 is header-only and ships no CMake config.
find_path(RANDOM123_INCLUDE_DIR Random123/philox.h REQUIRED)
add_library(Random123::Random123 INTERFACE IMPORTED)
set_target_properties(Random123::Random123 PROPERTIES INTERFACE_INCLUDE_DIRECTORIES
                                                      "${RANDOM123_INCLUDE_DIR}")

if(EPROP_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()

# run.json, checkpoints (eprop_tasks) and the tests.
find_package(nlohmann_json REQUIRED)

find_package(Threads REQUIRED)
