add_library(eprop_warnings INTERFACE)
target_compile_options(eprop_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                                -Wno-sign-conversion)
if(EPROP_SANITIZE)
  target_compile_options(eprop_warnings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(eprop_warnings INTERFACE -fsanitize=address,undefined)
endif()
